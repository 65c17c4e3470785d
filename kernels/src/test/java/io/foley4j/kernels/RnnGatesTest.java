package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Gate kernels (lstmGates with and without peepholes, gruGates in both reset forms, gruReset): vector vs scalar at
 * the JVM's vector width, unit ranges split with tails, and scalar vs the double-precision equations. Metric: max
 * absolute error of h and c (O(1)); tolerance {@value #TOL} (vector exp/tanh differ from the scalar ones by a few ulp).
 */
@Tag("simd")
class RnnGatesTest {
    static final double TOL = 2e-6;
    static final int[] SIZES = {1, 3, 7, 16, 17, 33, 64, 130};

    static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    @Test
    void lstmGatesVectorMatchesScalarAndEquations() {
        try (Arena arena = Arena.ofConfined()) {
            int seed = 1;
            for (int h : SIZES) {
                for (boolean peep : new boolean[] {false, true}) {
                    float[] gx = Rand.floats(seed++, 4 * h, 2f), gh = Rand.floats(seed++, 4 * h, 2f);
                    float[] p = Rand.floats(seed++, 3 * h, 0.5f), c0 = Rand.floats(seed++, h, 1.5f);
                    MemorySegment ps = peep ? Mem.floats(arena, p) : null;
                    MemorySegment cs = Mem.floats(arena, c0), cv = Mem.floats(arena, c0);
                    MemorySegment hs = Mem.floats(arena, h), hv = Mem.floats(arena, h);
                    MemorySegment x = Mem.floats(arena, gx), r = Mem.floats(arena, gh);
                    Rnn.lstmGatesScalar(x, r, ps, cs, hs, h, 0, h);
                    int split = h / 3;
                    Rnn.lstmGatesVector(x, r, ps, cv, hv, h, split, h);
                    Rnn.lstmGatesVector(x, r, ps, cv, hv, h, 0, split);
                    double[] want = new double[2 * h];
                    for (int j = 0; j < h; j++) {
                        double pi = peep ? p[j] : 0, pf = peep ? p[h + j] : 0, po = peep ? p[2 * h + j] : 0;
                        double i = sig(gx[j] + gh[j] + pi * c0[j]), f = sig(gx[h + j] + gh[h + j] + pf * c0[j]);
                        double g = Math.tanh(gx[2 * h + j] + gh[2 * h + j]);
                        double c = f * c0[j] + i * g, o = sig(gx[3 * h + j] + gh[3 * h + j] + po * c);
                        want[j] = o * Math.tanh(c);
                        want[h + j] = c;
                    }
                    float[] s = concat(Mem.toFloats(hs, h), Mem.toFloats(cs, h)), v = concat(Mem.toFloats(hv, h), Mem.toFloats(cv, h));
                    Diff dv = Diff.of(v, s, 1.0), dr = Diff.of(s, ConvCases.toFloat(want), 1.0);
                    String what = "lstmGates hidden=" + h + " peepholes=" + peep;
                    assertTrue(dv.maxAbs() <= TOL, what + " vector (" + Simd.describe() + ") vs scalar: " + dv);
                    assertTrue(dr.maxAbs() <= TOL, what + " scalar vs equations: " + dr);
                }
            }
        }
    }

    @Test
    void gruGatesVectorMatchesScalarAndEquations() {
        try (Arena arena = Arena.ofConfined()) {
            int seed = 500;
            for (int h : SIZES) {
                for (boolean after : new boolean[] {false, true}) {
                    float[] gx = Rand.floats(seed++, 3 * h, 2f), gh = Rand.floats(seed++, 3 * h, 2f);
                    float[] h0 = Rand.floats(seed++, h, 1f);
                    MemorySegment x = Mem.floats(arena, gx), r = Mem.floats(arena, gh), hp = Mem.floats(arena, h0);
                    MemorySegment hs = Mem.floats(arena, h), hv = Mem.floats(arena, h);
                    MemorySegment rs = Mem.floats(arena, h), rv = Mem.floats(arena, h);
                    Rnn.gruGatesScalar(x, r, hp, hs, after, h, 0, h);
                    Rnn.gruGatesVector(x, r, hp, hv, after, h, 0, h / 2);
                    Rnn.gruGatesVector(x, r, hp, hv, after, h, h / 2, h);
                    Rnn.gruResetScalar(x, r, hp, rs, h, 0, h);
                    Rnn.gruResetVector(x, r, hp, rv, h, 0, h);
                    double[] want = new double[2 * h];
                    for (int j = 0; j < h; j++) {
                        double rg = sig(gx[j] + gh[j]), z = sig(gx[h + j] + gh[h + j]);
                        double n = Math.tanh(gx[2 * h + j] + (after ? rg * gh[2 * h + j] : gh[2 * h + j]));
                        want[j] = (1 - z) * n + z * h0[j];
                        want[h + j] = rg * h0[j];
                    }
                    float[] s = concat(Mem.toFloats(hs, h), Mem.toFloats(rs, h)), v = concat(Mem.toFloats(hv, h), Mem.toFloats(rv, h));
                    Diff dv = Diff.of(v, s, 1.0), dr = Diff.of(s, ConvCases.toFloat(want), 1.0);
                    String what = "gruGates/gruReset hidden=" + h + " resetAfter=" + after;
                    assertTrue(dv.maxAbs() <= TOL, what + " vector (" + Simd.describe() + ") vs scalar: " + dv);
                    assertTrue(dr.maxAbs() <= TOL, what + " scalar vs equations: " + dr);
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment g = Mem.floats(arena, 32), c = Mem.floats(arena, 8), h = Mem.floats(arena, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Rnn.lstmGates(Mem.floats(arena, 31), g, null, c, h, 8, 0, 8));
            assertTrue(e.getMessage().contains("lstmGates") && e.getMessage().contains("gx [32]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Rnn.lstmGates(g, g, Mem.floats(arena, 23), c, h, 8, 0, 8));
            assertTrue(e.getMessage().contains("peephole [24]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Rnn.gruGates(g, g, c, h, true, 8, 0, 9));
            assertTrue(e.getMessage().contains("gruGates") && e.getMessage().contains("[0, 9)"), e.getMessage());
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
