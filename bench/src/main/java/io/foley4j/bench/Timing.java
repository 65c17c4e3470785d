package io.foley4j.bench;

/**
 * Wall-clock timing for the quick benchmark. The JIT compiles a hot method several times (interpreter, C1, C2,
 * sometimes a deoptimization and a second C2 compile), so a repetition taken too early can be several times
 * slower than the steady state. The operation is warmed up (see {@link #time}), calibrated to about
 * {@code repSeconds} per repetition, then timed {@code reps} times.
 */
public record Timing(double warmupSeconds, double repSeconds, int reps) {

    /** Seconds per call: the median and the best of the repetitions. */
    public record Result(double median, double best) {
        /** Median-based throughput: {@code work / median}. */
        public double rate(double work) {
            return work / median;
        }
    }

    public static Timing standard() {
        return new Timing(1.0, 0.08, 9);
    }

    public static Timing quick() {
        return new Timing(0.5, 0.03, 5);
    }

    public Result time(Runnable op) {
        // warm-up: rounds of ~repSeconds until warmupSeconds have passed and, twice in a row, the JIT compiled
        // nothing during a round and the round agreed with the previous one within 5% (a fixed time is not enough
        // on a busy machine, where C2 may still be compiling); at most max(3 s, 5 x warmupSeconds). The minimum
        // is long because a finished compilation is all the JIT reports: C2 compiling a large Vector API kernel
        // can take a second on a loaded machine while the C1 version runs at a steady, 20x lower speed.
        long start = System.nanoTime();
        long n = 1;
        double last = Double.MAX_VALUE;
        long compiled = compileMillis();
        int stableRounds = 0;
        while (true) {
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i++) {
                op.run();
            }
            long t1 = System.nanoTime();
            double perCall = Math.max(1, t1 - t0) / (double) n;
            long c = compileMillis();
            boolean stable = c == compiled && Math.abs(perCall - last) <= 0.05 * Math.min(perCall, last);
            compiled = c;
            last = perCall;
            stableRounds = stable ? stableRounds + 1 : 0;
            double elapsed = (t1 - start) / 1e9;
            if ((elapsed >= warmupSeconds && stableRounds >= 2) || elapsed >= Math.max(3, 5 * warmupSeconds)) {
                break;
            }
            n = (long) Math.max(1, Math.min(1_000_000, repSeconds * 1e9 / perCall));
        }
        int calls = (int) Math.max(1, Math.min(1_000_000, repSeconds * 1e9 / last));
        double[] s = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                op.run();
            }
            s[r] = (System.nanoTime() - t0) / 1e9 / calls;
        }
        java.util.Arrays.sort(s);
        return new Result(s[reps / 2], s[0]);
    }

    private static final java.lang.management.CompilationMXBean JIT =
            java.lang.management.ManagementFactory.getCompilationMXBean();

    /** Total JIT compilation time so far (0 when the JVM does not report it: then only timings decide). */
    private static long compileMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }
}
