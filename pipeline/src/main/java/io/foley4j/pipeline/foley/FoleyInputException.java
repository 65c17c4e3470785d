package io.foley4j.pipeline.foley;

/**
 * A request the engine refuses: the message names what is wrong. The kind tells a front end how to answer
 * (the CLI exits non-zero, the HTTP service maps it to a 4xx status).
 */
public final class FoleyInputException extends RuntimeException {
    public enum Kind {
        /** A parameter out of range or unparsable (400). */
        BAD_PARAMETER(400),
        /** The prompt is empty, too long or not text (400). */
        BAD_PROMPT(400),
        /** Not a video, or a codec/container the engine cannot decode (415). */
        UNSUPPORTED_MEDIA(415),
        /** Empty, truncated or corrupt media (422). */
        CORRUPT_MEDIA(422),
        /** Larger or longer than the configured limits (413). */
        TOO_LARGE(413);

        public final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }
    }

    private final Kind kind;

    public FoleyInputException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public FoleyInputException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
