"""Translated strings that the browser scripts show, handed to the page as JSON.

Each page template puts the result in `<script type="application/json" id="ui-strings">`; the scripts
read it through `t(key, params)` in `static/js/common.js`. Placeholders stay in `{name}` form here and
are filled in by the browser.
"""

from kilas.web.i18n import gettext


def _common_strings() -> dict[str, str]:
    return {
        "error_generic": gettext("Something went wrong. Please try again."),
        "error_network": gettext("No connection. Check your internet and try again."),
        "close": gettext("Close"),
        "retry": gettext("Try again"),
        "cancel": gettext("Cancel"),
    }


def feed_strings() -> dict[str, str]:
    return {
        **_common_strings(),
        "video_by": gettext("Video by @{username}"),
        "like": gettext("Like"),
        "comments": gettext("Comments"),
        "share": gettext("Share"),
        "follow": gettext("Follow"),
        "following": gettext("Following"),
        "follow_user": gettext("Follow @{username}"),
        "followed_toast": gettext("You're now following @{username}"),
        "unmute": gettext("Turn sound on"),
        "mute": gettext("Turn sound off"),
        "caption_more": gettext("more"),
        "caption_less": gettext("less"),
        "processing": gettext("Processing…"),
        "processing_hint": gettext("This video will be ready to watch in a moment."),
        "failed": gettext("This video couldn't be processed."),
        "loading": gettext("Loading…"),
        "load_error": gettext("Couldn't load videos."),
        "empty_foryou_title": gettext("No videos yet"),
        "empty_foryou_text": gettext("Be the first to share what you know or what you sell."),
        "empty_foryou_action": gettext("Upload video"),
        "empty_following_title": gettext("Nothing here yet"),
        "empty_following_text": gettext(
            "Creators you follow haven't posted anything yet. Find creators to follow on For You."
        ),
        "empty_following_action": gettext("Explore For You"),
        "end_title": gettext("You're all caught up"),
        "end_text": gettext("Come back later for new videos."),
        "end_action": gettext("Back to the top"),
        "comments_title_one": gettext("{count} comment"),
        "comments_title_other": gettext("{count} comments"),
        "comment_send": gettext("Send"),
        "reply": gettext("Reply"),
        "reply_placeholder": gettext("Reply to @{username}…"),
        "view_replies_one": gettext("View {count} reply"),
        "view_replies_other": gettext("View {count} replies"),
        "hide_replies": gettext("Hide replies"),
        "more_replies": gettext("View more replies"),
        "delete": gettext("Delete"),
        "delete_confirm": gettext("Delete this comment?"),
        "comment_deleted": gettext("Comment deleted"),
        "like_comment": gettext("Like comment"),
        "creator_badge": gettext("Creator"),
        "just_now": gettext("just now"),
        "minutes_ago": gettext("{count}m ago"),
        "hours_ago": gettext("{count}h ago"),
        "days_ago": gettext("{count}d ago"),
        "weeks_ago": gettext("{count}w ago"),
        "link_copied": gettext("Link copied"),
        "copy_failed": gettext("Couldn't copy. Copy this link: {url}"),
        "share_text": gettext("Watch @{username} on Kilas"),
        "why": gettext("Why this video?"),
        "not_interested": gettext("Not interested"),
        "not_interested_toast": gettext("Got it — you'll see fewer videos from @{username}"),
        "refresh": gettext("Refresh"),
        "refreshed_toast": gettext("For You refreshed — we'll learn your tastes again from what you watch"),
    }


def upload_strings() -> dict[str, str]:
    return {
        **_common_strings(),
        "no_file": gettext("Choose a video first."),
        "not_video": gettext("This file isn't a video. Choose an MP4, MOV, 3GP or WebM file."),
        "too_large": gettext("This video is bigger than {mb} MB. Choose a smaller file."),
        "too_long": gettext("This video is longer than {minutes} minutes. Trim it first."),
        "preview_unavailable": gettext("No preview for this file, but you can still upload it."),
        "not_supported": gettext("Your browser can't upload videos here. Please update it and try again."),
        "uploading": gettext("Uploading…"),
        "resuming": gettext("Continuing your earlier upload…"),
        "progress_detail": gettext("{sent} of {total} MB"),
        "paused": gettext("Paused. Tap Resume to continue."),
        "pause": gettext("Pause"),
        "resume": gettext("Resume"),
        "cancel_confirm": gettext("Stop this upload?"),
        "canceled": gettext("Upload canceled."),
        "reconnecting": gettext("Connection lost. Reconnecting…"),
        "offline": gettext("You're offline. The upload will continue by itself when you're back online."),
        "upload_failed": gettext("The upload failed. Please try again."),
        "processing": gettext("Processing…"),
        "processing_hint": gettext("Uploaded! We're getting your video ready. You can leave this page."),
        "ready": gettext("Ready to watch!"),
        "view_video": gettext("View video"),
        "failed": gettext("We couldn't process this video."),
        "upload_another": gettext("Upload another video"),
        "status_processing": gettext("Processing"),
        "status_ready": gettext("Ready"),
        "status_failed": gettext("Failed"),
        "no_caption": gettext("(no caption)"),
        "leave_warning": gettext("Your upload is still running. Leave anyway?"),
    }
