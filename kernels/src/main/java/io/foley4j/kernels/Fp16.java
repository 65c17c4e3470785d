package io.foley4j.kernels;

/**
 * Half-precision conversions. FP16 uses the JDK's IEEE binary16 conversions (JDK 20+, intrinsified and
 * auto-vectorized to vcvtph2ps/vcvtps2ph on x86). BF16 is the top 16 bits of an FP32; rounding to BF16 is
 * round-to-nearest-even, NaN stays NaN.
 */
public final class Fp16 {
    private Fp16() {}

    public static float f16ToF32(short h) {
        return Float.float16ToFloat(h);
    }

    public static short f32ToF16(float f) {
        return Float.floatToFloat16(f);
    }

    public static float bf16ToF32(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    public static short f32ToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) { // NaN: keep it a quiet NaN
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
