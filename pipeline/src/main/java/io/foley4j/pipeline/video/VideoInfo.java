package io.foley4j.pipeline.video;

import java.nio.file.Path;

/** What a video track holds: displayed size, duration (s), average frame rate, frame and keyframe counts. */
public record VideoInfo(Path file, int width, int height, double durationSeconds, double frameRate, int frames,
        int keyframes, ColorMatrix color) {}
