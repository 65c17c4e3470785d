package io.foley4j.engine;

/**
 * Element types of tensor storage. Quantized types keep their scales in a second segment of F32 values
 * ({@link Tensor#scales()}): {@link #I8_ROW} one scale per row (the last dimension is the row), {@link #I8_BLOCK32}
 * one scale per block of {@value #BLOCK} consecutive elements of a row (the last block of a row may be shorter).
 * Dequantized value = int8 * scale (symmetric, no zero point).
 */
public enum DType {
    F32(4),
    /**
     * F32 weights {@code [N, K]} repacked at load time by {@code LinearOps.packF32} into the column panels of
     * {@code io.foley4j.kernels.Matmul} (same byte size as F32; not row-major, so not viewable or sliceable
     * element-wise; the layout depends on the JVM's vector width). Only {@code LinearOps.linear} reads it.
     */
    F32_PACKED(4),
    F16(2),
    BF16(2),
    I8_ROW(1),
    I8_BLOCK32(1),
    /**
     * I8_ROW weights {@code [N, K]} repacked at load time by {@code LinearOps.packQ8} into the column panels of
     * {@code io.foley4j.kernels.MatmulQ8#packQ8} (scales unchanged, one per row; data ceil(N / PANEL) * PANEL * K
     * bytes plus a few of slack). Like {@link #F32_PACKED} not row-major, not sliceable, not storable; only
     * {@code LinearOps.linear} and {@code LinearOps.linearQ8Q8} read it.
     */
    I8_ROW_PACKED(1),
    I32(4),
    I64(8);

    /** Elements per scale block of {@link #I8_BLOCK32}. */
    public static final int BLOCK = 32;

    /** Bytes per element of the main storage (scales not included). */
    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public boolean quantized() {
        return this == I8_ROW || this == I8_BLOCK32 || this == I8_ROW_PACKED;
    }

    /** Number of F32 scales for a tensor of {@code rows} rows of {@code cols} elements. */
    public long scaleCount(long rows, long cols) {
        return switch (this) {
            case I8_ROW, I8_ROW_PACKED -> rows;
            case I8_BLOCK32 -> rows * ((cols + BLOCK - 1) / BLOCK);
            default -> 0;
        };
    }
}
