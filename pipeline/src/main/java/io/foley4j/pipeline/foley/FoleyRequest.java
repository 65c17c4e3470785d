package io.foley4j.pipeline.foley;

import java.nio.file.Path;
import java.util.Objects;

/** One generation: a video file and a short description of the sound. */
public record FoleyRequest(Path video, String prompt, GenerateOptions options) {
    /** Longest prompt accepted, in characters (the text encoder truncates tokens anyway). */
    public static final int MAX_PROMPT_CHARS = 2000;

    public FoleyRequest {
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(options, "options");
        if (prompt == null || prompt.isBlank()) {
            throw new FoleyInputException(FoleyInputException.Kind.BAD_PROMPT, "prompt is empty");
        }
        if (prompt.length() > MAX_PROMPT_CHARS) {
            throw new FoleyInputException(FoleyInputException.Kind.BAD_PROMPT,
                    "prompt has " + prompt.length() + " characters, more than " + MAX_PROMPT_CHARS);
        }
        for (int i = 0; i < prompt.length(); i++) {
            char c = prompt.charAt(i);
            if (c == 0 || c == '\uFFFD' || (Character.isISOControl(c) && !Character.isWhitespace(c))) {
                throw new FoleyInputException(FoleyInputException.Kind.BAD_PROMPT,
                        "prompt is not text: control or invalid character U+" + String.format("%04X", (int) c)
                                + " at " + i);
            }
        }
    }
}
