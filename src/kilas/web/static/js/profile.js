// The follow button on a profile page.
import { ApiError, api, compactNumber, goToLogin, toast } from "./common.js";

const button = document.querySelector("[data-follow-user]");

if (button) {
  button.addEventListener("click", async () => {
    const username = button.dataset.followUser;
    const following = button.getAttribute("aria-pressed") === "true";
    button.disabled = true;
    try {
      const result = await api(`/api/v1/users/${encodeURIComponent(username)}/follow`, {
        method: following ? "DELETE" : "POST",
      });
      button.setAttribute("aria-pressed", String(result.following));
      button.textContent = result.following ? button.dataset.labelFollowing : button.dataset.labelFollow;
      button.classList.toggle("primary", !result.following);
      const count = document.querySelector("[data-testid=followers-count]");
      if (count) count.textContent = compactNumber(result.followers_count);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) goToLogin();
      else toast(error.message, { kind: "error" });
    } finally {
      button.disabled = false;
    }
  });
}
