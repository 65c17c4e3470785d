package io.foley4j.pipeline.video;

import java.nio.file.Path;

/** A video that cannot be read: the message names the file and the reason. */
public final class VideoException extends RuntimeException {
    private final transient Path file;

    public VideoException(Path file, String reason) {
        super("video " + file + ": " + reason);
        this.file = file;
    }

    public VideoException(Path file, String reason, Throwable cause) {
        super("video " + file + ": " + reason + (cause == null ? "" : " (" + cause + ")"), cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
