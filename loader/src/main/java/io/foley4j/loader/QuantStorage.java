package io.foley4j.loader;

import io.foley4j.engine.DType;

/**
 * How the engine's files use safetensors: the one place that defines the convention.
 * <p>
 * A quantized engine tensor {@code NAME} of dtype {@link DType#I8_ROW} or {@link DType#I8_BLOCK32} with shape
 * {@code [..., cols]} ({@code rows} = numel / cols) is stored as two entries plus one metadata key:
 * <pre>
 *   NAME          I8   [..., cols]                 the int8 values, row-major
 *   NAME.scale    F32  [rows]                      I8_ROW: one scale per row
 *                 F32  [rows, ceil(cols / 32)]     I8_BLOCK32: one scale per block of 32 elements of a row
 *   __metadata__["quant.NAME"] = "I8_ROW" | "I8_BLOCK32"
 * </pre>
 * Dequantized value = int8 * scale (symmetric, no zero point). A reader exposes the pair as one logical tensor
 * {@code NAME}; the scale entry is not listed on its own. An I8 entry without a {@code quant.} key is a plain int8
 * tensor (readable as raw bytes or converted to F32). The writer refuses a quantized tensor whose scale name is
 * already taken by another tensor.
 * <p>
 * Other metadata keys the engine writes: {@link #CONFIG_KEY} (the model config as a JSON object string),
 * {@link #FORMAT_KEY} = {@link #FORMAT_VERSION}. F16/BF16 conversions need no key: the entry's dtype says it.
 */
public final class QuantStorage {
    private QuantStorage() {}

    public static final String SCALE_SUFFIX = ".scale";
    public static final String QUANT_PREFIX = "quant.";
    public static final String CONFIG_KEY = "config";
    public static final String FORMAT_KEY = "format";
    public static final String FORMAT_VERSION = "foley4j-1";

    public static String scaleName(String tensor) {
        return tensor + SCALE_SUFFIX;
    }

    public static String quantKey(String tensor) {
        return QUANT_PREFIX + tensor;
    }

    /** The quantized engine dtype named by a {@code quant.} metadata value, or null when it names none. */
    public static DType quantType(String value) {
        return switch (value) {
            case "I8_ROW" -> DType.I8_ROW;
            case "I8_BLOCK32" -> DType.I8_BLOCK32;
            default -> null;
        };
    }

    /** Shape of the scale entry of a quantized tensor of {@code shape} (see the class comment). */
    public static long[] scaleShape(DType dtype, long[] shape) {
        if (!dtype.quantized()) throw new IllegalArgumentException("scaleShape: " + dtype + " is not quantized");
        long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        long numel = 1;
        for (long d : shape) numel = Math.multiplyExact(numel, d);
        long rows = cols == 0 ? 0 : numel / cols;
        return dtype == DType.I8_ROW ? new long[] {rows} : new long[] {rows, dtype.scaleCount(1, cols)};
    }
}
