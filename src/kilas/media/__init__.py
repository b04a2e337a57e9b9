"""Video probing, transcoding and clip generation built on PyAV and ffmpeg."""
