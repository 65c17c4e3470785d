package io.foley4j.pipeline.foley;

/** Load-time precision of a Foley model. */
public enum Precision {
    /** FP32 everywhere: the reference mode. */
    FP32,
    /** The design's edge mode: text encoder dynamic INT8, visual encoder static INT8, decoder feed-forward INT8, LSTM FP16. */
    MIXED;

    /** Parses {@code fp32} or {@code mixed} (any case); anything else is a {@link FoleyInputException}. */
    public static Precision parse(String s) {
        for (Precision p : values()) {
            if (p.name().equalsIgnoreCase(s)) return p;
        }
        throw new FoleyInputException(FoleyInputException.Kind.BAD_PARAMETER,
                "precision '" + s + "' is not one of fp32, mixed");
    }
}
