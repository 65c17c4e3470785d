package io.foley4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Shared conv shapes and a double-precision reference straight from the definition. */
final class ConvCases {
    private ConvCases() {}

    /** (cin, len, cout, kw, stride, padLeft, padRight, dilation, groups): L=1, Kw=1, strides, dilation, groups. */
    static final Conv.Geometry1d[] CONV1D = {
        new Conv.Geometry1d(3, 1, 4, 1, 1, 0, 0, 1, 1),      // L=1, Kw=1
        new Conv.Geometry1d(2, 1, 3, 3, 1, 1, 1, 1, 1),      // L=1 with padding
        new Conv.Geometry1d(16, 257, 9, 1, 1, 0, 0, 1, 1),   // pointwise
        new Conv.Geometry1d(5, 37, 7, 3, 1, 1, 1, 1, 1),
        new Conv.Geometry1d(5, 300, 6, 3, 1, 1, 1, 1, 1),    // long enough for the 4-vector blocks
        new Conv.Geometry1d(4, 100, 6, 5, 2, 2, 2, 1, 1),    // stride 2
        new Conv.Geometry1d(3, 90, 5, 3, 1, 3, 3, 3, 1),     // dilation 3
        new Conv.Geometry1d(4, 77, 6, 3, 1, 1, 1, 1, 2),     // groups 2
        new Conv.Geometry1d(8, 65, 8, 3, 1, 1, 1, 1, 8),     // depthwise
        new Conv.Geometry1d(8, 65, 16, 5, 2, 2, 1, 1, 8),    // depthwise, multiplier 2, stride 2
        new Conv.Geometry1d(6, 300, 9, 7, 3, 0, 5, 2, 3),    // stride 3, dilation 2, groups 3, uneven padding
        new Conv.Geometry1d(1, 1000, 33, 64, 16, 32, 32, 1, 1), // STFT-like: one channel, large kernel, hop
        new Conv.Geometry1d(129, 4, 128, 3, 1, 1, 1, 1, 1),  // Silero-like, output shorter than a vector
        new Conv.Geometry1d(7, 40, 5, 4, 1, 0, 0, 1, 1),     // no padding, even kernel
    };

    /** (cin, height, width, cout, kh, kw, strideH, strideW, padH, padW). */
    static final Conv.Geometry2d[] CONV2D = {
        new Conv.Geometry2d(3, 224, 224, 12, 16, 16, 16, 16, 0, 0), // ViT-B/16 patches
        new Conv.Geometry2d(3, 224, 224, 9, 14, 14, 14, 14, 0, 0),  // ViT-L/14 patches
        new Conv.Geometry2d(3, 230, 227, 5, 14, 14, 14, 14, 0, 0),  // odd sizes: the leftover border is dropped
        new Conv.Geometry2d(3, 33, 47, 7, 16, 16, 16, 16, 0, 0),
        new Conv.Geometry2d(4, 17, 19, 5, 3, 3, 2, 1, 1, 1),        // overlapping, padded
        new Conv.Geometry2d(2, 9, 7, 3, 4, 2, 3, 2, 2, 1),
        new Conv.Geometry2d(1, 1, 1, 2, 1, 1, 1, 1, 0, 0),
    };

    static MemorySegment weights1d(Arena arena, Conv.Geometry1d g, long seed) {
        return Rand.segment(arena, seed, g.cout() * g.colLength(), (float) (1 / Math.sqrt(g.colLength())));
    }

    static double[] conv1dRef(float[] x, float[] w, float[] bias, Conv.Geometry1d g) {
        int lout = g.lout(), cpg = g.cinPerGroup(), kw = g.kw();
        double[] out = new double[g.cout() * lout];
        for (int co = 0; co < g.cout(); co++) {
            int ciBase = co / g.coutPerGroup() * cpg;
            for (int p = 0; p < lout; p++) {
                double acc = bias == null ? 0 : bias[co];
                for (int ci = 0; ci < cpg; ci++) {
                    for (int k = 0; k < kw; k++) {
                        int pos = p * g.stride() + k * g.dilation() - g.padLeft();
                        if (pos >= 0 && pos < g.len()) {
                            acc += (double) w[(co * cpg + ci) * kw + k] * x[(ciBase + ci) * g.len() + pos];
                        }
                    }
                }
                out[co * lout + p] = acc;
            }
        }
        return out;
    }

    static double[] conv2dRef(float[] x, float[] w, float[] bias, Conv.Geometry2d g) {
        int ho = g.ho(), wo = g.wo();
        double[] out = new double[g.cout() * ho * wo];
        for (int co = 0; co < g.cout(); co++) {
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) {
                    double acc = bias == null ? 0 : bias[co];
                    for (int ci = 0; ci < g.cin(); ci++) {
                        for (int i = 0; i < g.kh(); i++) {
                            for (int j = 0; j < g.kw(); j++) {
                                int ih = oh * g.strideH() + i - g.padH(), iw = ow * g.strideW() + j - g.padW();
                                if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                    acc += (double) w[((co * g.cin() + ci) * g.kh() + i) * g.kw() + j]
                                            * x[(ci * g.height() + ih) * g.width() + iw];
                                }
                            }
                        }
                    }
                    out[(co * ho + oh) * wo + ow] = acc;
                }
            }
        }
        return out;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
