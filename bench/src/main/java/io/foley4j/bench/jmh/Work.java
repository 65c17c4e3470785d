package io.foley4j.bench.jmh;

import io.foley4j.engine.WorkerPool;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Work counters that turn JMH throughput into GFLOP/s or GB/s: a benchmark adds the work of each call, and JMH
 * divides the counter by time as it does operations, so the {@code :gflop} row of a result reads as GFLOP/s and the
 * {@code :gbyte} row as GB/s (the primary row is calls per second). Plus the {@code threads} parameter's parsing.
 */
public final class Work {
    private Work() {}

    /** 10^9 floating-point operations (an int8 multiply-add counts as 2). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    /** 10^9 bytes of operands read and written (for memory-bound ops). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Bytes {
        public double gbyte;

        @Setup(Level.Iteration)
        public void reset() {
            gbyte = 0;
        }
    }

    /** Threads of a {@code threads} parameter: a number, or {@code all} (available processors). */
    static int threads(String param) {
        return param.equals("all") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(param);
    }

    static WorkerPool pool(String param) {
        return new WorkerPool(threads(param));
    }

    /** Deterministic values uniform in [-1, 1). */
    static float[] floats(long seed, int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }
}
