package io.foley4j.models.bert;

import io.foley4j.engine.DType;

/**
 * How a converted BERT file stores its weight matrices (linear layers and embedding tables; biases and LayerNorm
 * parameters stay F32) and therefore how the encoder runs them.
 */
public enum BertPrecision {
    /** F32 weights, F32 activations. */
    FP32(DType.F32),
    /** F16 weights widened to F32 inside the matmul; F32 activations. */
    F16(DType.F16),
    /** BF16 weights widened to F32 inside the matmul; F32 activations. */
    BF16(DType.BF16),
    /**
     * Dynamic INT8: every weight matrix INT8 with one scale per output row. The activations entering the attention
     * output and FFN output projections (attention context, GELU output) are quantized per token at run time and
     * the products accumulate in INT32. The projections reading a LayerNorm output (Q, K, V, FFN intermediate) keep
     * F32 activations against their INT8 weights: BERT's LayerNorm outputs carry a few outlier channels (large gamma)
     * that set each token's scale and leave every other channel a handful of levels. Measured on all-MiniLM-L6-v2
     * (pooled cosine vs FP32 over the test corpus): all six quantized per token, min 0.983 (the empty text,
     * [CLS][SEP]) mean 0.9969; Q/K/V/intermediate in F32, min 0.992 mean 0.9990; nothing quantized, min 0.996.
     */
    INT8(DType.I8_ROW),
    /**
     * Weight-only INT8 with one scale per block of 32 elements of a row ({@link DType#I8_BLOCK32}), widened to F32
     * inside the matmul; F32 activations. Smaller error than per-row scales, no activation quantization.
     */
    INT8_BLOCK(DType.I8_BLOCK32);

    /** Storage type of the weight matrices. */
    public final DType weights;

    BertPrecision(DType weights) {
        this.weights = weights;
    }

    /** The precision whose weight storage is {@code dtype}. */
    public static BertPrecision of(DType dtype) {
        for (BertPrecision p : values()) {
            if (p.weights == dtype) return p;
        }
        throw new IllegalArgumentException("BertPrecision: no BERT precision stores weights as " + dtype
                + "; expected F32, F16, BF16, I8_ROW or I8_BLOCK32");
    }
}
