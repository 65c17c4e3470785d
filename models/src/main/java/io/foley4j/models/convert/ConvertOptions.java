package io.foley4j.models.convert;

/**
 * @param family    the model family, or null to detect it (ONNX: BERT; Hugging Face folder: config.json's model_type)
 * @param precision storage of the weight matrices
 */
public record ConvertOptions(ModelFamily family, Precision precision) {
    public ConvertOptions {
        if (precision == null) throw new IllegalArgumentException("ConvertOptions: precision is required");
    }

    /** Detected family, FP32. */
    public static ConvertOptions defaults() {
        return new ConvertOptions(null, Precision.FP32);
    }

    public ConvertOptions withFamily(ModelFamily f) { return new ConvertOptions(f, precision); }
    public ConvertOptions withPrecision(Precision p) { return new ConvertOptions(family, p); }
}
