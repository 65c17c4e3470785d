package io.foley4j.pipeline.audio;

import java.io.IOException;
import java.nio.file.Path;

/** A WAV file that cannot be read or written as asked; the message names the file and the problem. */
public final class WavFormatException extends IOException {
    public WavFormatException(Path file, String problem) {
        super("WAV " + file + ": " + problem);
    }
}
