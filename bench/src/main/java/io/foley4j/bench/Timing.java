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
        return new Timing(0.5, 0.06, 9);
    }

    public static Timing quick() {
        return new Timing(0.3, 0.025, 5);
    }

    public Result time(Runnable op) {
        // warm-up: rounds of ~repSeconds until warmupSeconds have passed and two consecutive rounds agree within
        // 5% (C2 may still be compiling after a fixed time on a busy machine); at most 10 x warmupSeconds
        long start = System.nanoTime();
        long n = 1;
        double last = Double.MAX_VALUE;
        while (true) {
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i++) {
                op.run();
            }
            long t1 = System.nanoTime();
            double perCall = Math.max(1, t1 - t0) / (double) n;
            boolean stable = Math.abs(perCall - last) <= 0.05 * Math.min(perCall, last);
            last = perCall;
            double elapsed = (t1 - start) / 1e9;
            if ((elapsed >= warmupSeconds && stable) || elapsed >= 10 * warmupSeconds) {
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
}
