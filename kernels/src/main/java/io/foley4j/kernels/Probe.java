package io.foley4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Hardware probes for the benchmarks' peak estimate (bench's {@code Peak}): loops whose speed is set by the
 * core's clock and its FMA units, at the platform's preferred vector width (not {@link Simd}'s forced one: the
 * peak is a property of the machine). They live here because only {@code kernels} imports the Vector API.
 */
public final class Probe {
    private Probe() {}

    private static final VectorSpecies<Float> P = FloatVector.SPECIES_PREFERRED;

    public static int preferredLanes() {
        return P.length();
    }

    public static int preferredBits() {
        return P.vectorBitSize();
    }

    /**
     * 8 dependent {@code long} adds (8 cycles) and 2 independent FMAs per iteration: the adds limit the loop, the
     * FMAs keep the vector unit busy, so adds per second = the clock under vector load.
     */
    public static long chainWithFma(long x, long y, float m, int iters) {
        FloatVector mv = FloatVector.broadcast(P, m), c = FloatVector.broadcast(P, 1e-3f);
        FloatVector a0 = c, a1 = c.add(c);
        for (int i = 0; i < iters; i++) {
            x += y; y += x; x += y; y += x;
            a0 = a0.fma(mv, c);
            x += y; y += x; x += y; y += x;
            a1 = a1.fma(mv, c);
        }
        return (x ^ y) + (long) a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * 16 independent FMA chains (covering 2 units x 4 cycles latency twice): {@code a = a * m + c} converges to
     * {@code c / (1 - m)} for |m| < 1, never overflows nor goes subnormal. Does {@code 16 * iters} vector FMAs.
     */
    public static long fmaThroughput(float m, int iters) {
        FloatVector mv = FloatVector.broadcast(P, m), c = FloatVector.broadcast(P, 1e-3f);
        FloatVector a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c;
        FloatVector a8 = c, a9 = c, a10 = c, a11 = c, a12 = c, a13 = c, a14 = c, a15 = c;
        for (int i = 0; i < iters; i++) {
            a0 = a0.fma(mv, c); a1 = a1.fma(mv, c); a2 = a2.fma(mv, c); a3 = a3.fma(mv, c);
            a4 = a4.fma(mv, c); a5 = a5.fma(mv, c); a6 = a6.fma(mv, c); a7 = a7.fma(mv, c);
            a8 = a8.fma(mv, c); a9 = a9.fma(mv, c); a10 = a10.fma(mv, c); a11 = a11.fma(mv, c);
            a12 = a12.fma(mv, c); a13 = a13.fma(mv, c); a14 = a14.fma(mv, c); a15 = a15.fma(mv, c);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
        return (long) s.reduceLanes(VectorOperators.ADD);
    }
}
