package io.foley4j.bench;

/**
 * Wall-clock timing for the quick benchmark. The JIT compiles a hot method several times (interpreter, C1, C2,
 * sometimes a deoptimization and a second C2 compile), so a repetition taken too early can be several times
 * slower than the steady state. The operation is run until {@code warmupSeconds} have passed, then calibrated to
 * about {@code repSeconds} per repetition, then timed {@code reps} times.
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
        return new Timing(0.15, 0.025, 5);
    }

    public Result time(Runnable op) {
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            op.run();
        } while (System.nanoTime() < warmEnd);
        // calibrate on the last, warmest calls
        long c0 = System.nanoTime();
        op.run();
        op.run();
        double perCall = Math.max(1, (System.nanoTime() - c0) / 2.0);
        int n = (int) Math.max(1, Math.min(1_000_000, repSeconds * 1e9 / perCall));
        double[] s = new double[reps];
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                op.run();
            }
            s[r] = (System.nanoTime() - start) / 1e9 / n;
        }
        java.util.Arrays.sort(s);
        return new Result(s[reps / 2], s[0]);
    }
}
