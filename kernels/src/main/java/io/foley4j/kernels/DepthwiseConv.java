package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Depthwise (groups = channels) stride-1 Conv1d on time-major rows, F32, the layout of a transformer's residual
 * stream (ConvNeXt blocks in Vocos, Conformer convolution modules):
 * <pre>
 *   out[t, c] = bias[c] + sum_{k < kw} taps[k, c] * x[t + k - padLeft, c]     x [len, C], out [lout, C]
 * </pre>
 * with x read as zero outside {@code [0, len)} and {@code lout = len + padLeft + padRight - kw + 1}. The taps are the
 * PyTorch weight [C, 1, kw] transposed to [kw, C] once at load time, so every tap is a contiguous row of channels:
 * the vector path runs across channels, one fma per tap. Both paths accumulate bias, then taps in increasing k, each
 * with one rounding (fma), so they agree bit for bit.
 */
public final class DepthwiseConv {
    private DepthwiseConv() {}

    /** Output rows for an input of {@code len} rows. */
    public static int outLength(int len, int kw, int padLeft, int padRight) {
        return len + padLeft + padRight - kw + 1;
    }

    private static void check(MemorySegment x, MemorySegment taps, MemorySegment bias, MemorySegment out, int len,
                              int channels, int kw, int padLeft, int padRight, int t0, int t1) {
        Checks.dims("depthwiseConv1d", "len, channels, kw", false, len, channels, kw);
        Checks.require(padLeft >= 0 && padRight >= 0, "depthwiseConv1d",
                () -> "padding must be non-negative, got " + padLeft + ", " + padRight);
        int lout = outLength(len, kw, padLeft, padRight);
        Checks.require(lout > 0, "depthwiseConv1d", () -> "kernel " + kw + " is longer than the padded input " + len
                + " + " + padLeft + " + " + padRight);
        Checks.range("depthwiseConv1d", "output row", t0, t1, lout);
        Checks.fits("depthwiseConv1d", "x", x, (long) len * channels, 4);
        Checks.fits("depthwiseConv1d", "taps", taps, (long) kw * channels, 4);
        if (bias != null) {
            Checks.fits("depthwiseConv1d", "bias", bias, channels, 4);
        }
        Checks.fits("depthwiseConv1d", "out", out, (long) lout * channels, 4);
    }

    /** Output rows {@code [t0, t1)}; {@code bias} may be null. out must not alias x. */
    public static void conv1dRowsF32(MemorySegment x, MemorySegment taps, MemorySegment bias, MemorySegment out,
                                     int len, int channels, int kw, int padLeft, int padRight, int t0, int t1) {
        check(x, taps, bias, out, len, channels, kw, padLeft, padRight, t0, t1);
        if (Simd.SCALAR) {
            conv1dRowsF32Scalar(x, taps, bias, out, len, channels, kw, padLeft, padRight, t0, t1);
        } else {
            conv1dRowsF32Vector(x, taps, bias, out, len, channels, kw, padLeft, padRight, t0, t1);
        }
    }

    public static void conv1dRowsF32Scalar(MemorySegment x, MemorySegment taps, MemorySegment bias,
                                           MemorySegment out, int len, int channels, int kw, int padLeft,
                                           int padRight, int t0, int t1) {
        for (int t = t0; t < t1; t++) {
            int kLo = Math.max(0, padLeft - t), kHi = Math.min(kw, len + padLeft - t); // taps inside [0, len)
            columns(x, taps, bias, out, channels, padLeft, t, kLo, kHi, 0, channels);
        }
    }

    /** Channels {@code [c0, c1)} of output row t, taps {@code [kLo, kHi)}. */
    private static void columns(MemorySegment x, MemorySegment taps, MemorySegment bias, MemorySegment out,
                                int channels, int padLeft, int t, int kLo, int kHi, int c0, int c1) {
        long src = (long) (t - padLeft) * channels, dst = (long) t * channels;
        for (int c = c0; c < c1; c++) {
            float acc = bias == null ? 0f : bias.getAtIndex(F32, c);
            for (int k = kLo; k < kHi; k++) {
                acc = Math.fma(taps.getAtIndex(F32, (long) k * channels + c),
                        x.getAtIndex(F32, src + (long) k * channels + c), acc);
            }
            out.setAtIndex(F32, dst + c, acc);
        }
    }

    public static void conv1dRowsF32Vector(MemorySegment x, MemorySegment taps, MemorySegment bias,
                                           MemorySegment out, int len, int channels, int kw, int padLeft,
                                           int padRight, int t0, int t1) {
        x = Mem.plain(x); taps = Mem.plain(taps); bias = Mem.plain(bias); out = Mem.plain(out);
        int upper = F.loopBound(channels);
        FloatVector zero = FloatVector.zero(F);
        for (int t = t0; t < t1; t++) {
            int kLo = Math.max(0, padLeft - t), kHi = Math.min(kw, len + padLeft - t);
            long src = (long) (t - padLeft) * channels, dst = (long) t * channels;
            for (int c = 0; c < upper; c += F.length()) {
                FloatVector acc = bias == null ? zero : FloatVector.fromMemorySegment(F, bias, 4L * c, ORDER);
                for (int k = kLo; k < kHi; k++) {
                    long o = (long) k * channels + c;
                    acc = FloatVector.fromMemorySegment(F, taps, 4 * o, ORDER)
                            .fma(FloatVector.fromMemorySegment(F, x, 4 * (src + o), ORDER), acc);
                }
                acc.intoMemorySegment(out, 4 * (dst + c), ORDER);
            }
            columns(x, taps, bias, out, channels, padLeft, t, kLo, kHi, upper, channels);
        }
    }
}
