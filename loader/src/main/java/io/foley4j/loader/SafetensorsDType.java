package io.foley4j.loader;

import io.foley4j.engine.DType;
import io.foley4j.kernels.Fp16;
import io.foley4j.kernels.Mem;
import java.lang.foreign.MemorySegment;

/**
 * Every element type of the safetensors format, by its name in the header. {@link #engine} is the engine dtype a
 * tensor of this type is viewed as without copying (null: none; I8 is only viewable as the data half of a quantized
 * pair, see {@link QuantStorage}). {@link #toF32} says whether {@link #getAsFloat} can read it:
 * <ul>
 * <li>exact: F32, F16, BF16, I8, U8, I16, U16, BOOL (0/1), F8_E4M3, F8_E5M2, F8_E8M0;</li>
 * <li>rounded to the nearest float: F64, I32, U32, I64, U64 (integers above 2^24 lose low bits);</li>
 * <li>raw bytes only: C64 (complex), F4, F6_E2M3, F6_E3M2 (sub-byte packing whose element order the format does not
 *     pin down).</li>
 * </ul>
 * F8_E4M3 is the "fn" variant (no infinities, S.1111.111 is NaN, max 448); F8_E8M0 is a bare exponent 2^(e-127),
 * 0xFF is NaN.
 */
public enum SafetensorsDType {
    BOOL(8, null, true),
    U8(8, null, true),
    I8(8, null, true),
    F8_E5M2(8, null, true),
    F8_E4M3(8, null, true),
    F8_E8M0(8, null, true),
    F4(4, null, false),
    F6_E2M3(6, null, false),
    F6_E3M2(6, null, false),
    I16(16, null, true),
    U16(16, null, true),
    F16(16, DType.F16, true),
    BF16(16, DType.BF16, true),
    I32(32, DType.I32, true),
    U32(32, null, true),
    F32(32, DType.F32, true),
    C64(64, null, false),
    F64(64, null, true),
    I64(64, DType.I64, true),
    U64(64, null, true);

    /** Bits per element; a tensor's byte size is numel * bits / 8 and must be a whole number of bytes. */
    public final int bits;
    /** Engine dtype viewed zero-copy, or null. */
    public final DType engine;
    /** Whether {@link #getAsFloat} reads this type. */
    public final boolean toF32;

    SafetensorsDType(int bits, DType engine, boolean toF32) {
        this.bits = bits;
        this.engine = engine;
        this.toF32 = toF32;
    }

    /** The type named {@code name} in a header (exact, case-sensitive), or null if there is none. */
    public static SafetensorsDType byName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }

    /** The safetensors type holding an engine dtype's main storage (quantized types store I8). */
    public static SafetensorsDType of(DType d) {
        return switch (d) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            case I32 -> I32;
            case I64 -> I64;
            case I8_ROW, I8_BLOCK32 -> I8;
            case F32_PACKED -> throw new IllegalArgumentException(
                    "F32_PACKED is a run-time layout that depends on the vector width: store F32, pack at load");
            case I8_ROW_PACKED -> throw new IllegalArgumentException(
                    "I8_ROW_PACKED is a run-time layout that depends on the vector width: store I8_ROW, pack at load");
        };
    }

    /** Bytes taken by {@code numel} elements, or -1 when that is not a whole number of bytes. */
    public long byteSize(long numel) {
        long b = Math.multiplyExact(numel, (long) bits);
        return b % 8 == 0 ? b / 8 : -1;
    }

    /** Element {@code i} of {@code data} as float; only for types with {@link #toF32}. */
    public float getAsFloat(MemorySegment data, long i) {
        return switch (this) {
            case BOOL -> data.get(Mem.I8, i) != 0 ? 1f : 0f;
            case U8 -> data.get(Mem.I8, i) & 0xFF;
            case I8 -> data.get(Mem.I8, i);
            case F8_E5M2 -> Fp16.f16ToF32((short) (data.get(Mem.I8, i) << 8)); // the top byte of an FP16
            case F8_E4M3 -> e4m3ToF32(data.get(Mem.I8, i));
            case F8_E8M0 -> e8m0ToF32(data.get(Mem.I8, i));
            case I16 -> data.get(Mem.I16, 2 * i);
            case U16 -> data.get(Mem.I16, 2 * i) & 0xFFFF;
            case F16 -> Fp16.f16ToF32(data.get(Mem.I16, 2 * i));
            case BF16 -> Fp16.bf16ToF32(data.get(Mem.I16, 2 * i));
            case I32 -> data.get(Mem.I32, 4 * i);
            case U32 -> data.get(Mem.I32, 4 * i) & 0xFFFFFFFFL;
            case F32 -> data.get(Mem.F32, 4 * i);
            case F64 -> (float) Double.longBitsToDouble(data.get(Mem.I64, 8 * i));
            case I64 -> data.get(Mem.I64, 8 * i);
            case U64 -> u64ToF32(data.get(Mem.I64, 8 * i));
            case F4, F6_E2M3, F6_E3M2, C64 ->
                    throw new UnsupportedOperationException(this + " tensors are readable as raw bytes only");
        };
    }

    private static float u64ToF32(long v) {
        return v >= 0 ? v : (float) ((v >>> 1) | (v & 1)) * 2f; // keep the sticky bit so rounding stays correct
    }

    /** FP8 E4M3FN: 1 sign, 4 exponent (bias 7), 3 mantissa bits; no infinities; S.1111.111 is NaN. */
    static float e4m3ToF32(byte b) {
        int sign = (b & 0x80) != 0 ? -1 : 1;
        int e = (b >>> 3) & 0xF, m = b & 0x7;
        if (e == 0xF && m == 0x7) return Float.NaN;
        float mag = e == 0 ? m / 8f * 0x1p-6f : (1 + m / 8f) * Math.scalb(1f, e - 7);
        return sign * mag;
    }

    /** FP8 E8M0: a bare biased exponent, 2^(e-127); 0xFF is NaN. */
    static float e8m0ToF32(byte b) {
        int e = b & 0xFF;
        return e == 0xFF ? Float.NaN : Math.scalb(1f, e - 127);
    }
}
