package io.foley4j.bench;

/**
 * Wall-clock timing for the quick benchmark. The JIT compiles a hot method several times (interpreter, C1, C2,
 * sometimes a deoptimization and a second C2 compile), so a repetition taken too early can be several times
 * slower than the steady state. The operation is warmed up (see {@link #warmUp}), calibrated to about
 * {@code repSeconds} per repetition, then timed {@code reps} times; operations that a ratio compares are timed
 * side by side ({@link #timeSideBySide}).
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
        return timeSideBySide(0, op)[0];
    }

    /**
     * Times several operations that a ratio will compare (ours and ONNX Runtime, F32 and INT8 weights): each is
     * warmed up in turn, then the repetitions alternate (a rep of each, in order, {@code reps} times), so a slow spell
     * of a shared machine lands on all of them alike instead of on whichever ran during it. Results in the order
     * given. {@code settleMillis} > 0: a pause before each repetition. Thread pools spin for a while after a call
     * before their workers park (ours, and ONNX Runtime's), and on a machine with as many cores as threads the
     * spinners of the operation timed just before take cores from the next (GemmProbe measured ours 1.4x faster on 2
     * threads than on 1 right after ORT, 1.9x alone). Pass {@link #SETTLE_MILLIS} when the operations use more than
     * one thread, 0 otherwise.
     */
    public Result[] timeSideBySide(long settleMillis, Runnable... ops) {
        int[] calls = new int[ops.length];
        for (int o = 0; o < ops.length; o++) {
            calls[o] = warmUp(ops[o]);
        }
        double[][] s = new double[ops.length][reps];
        for (int r = 0; r < reps; r++) {
            for (int o = 0; o < ops.length; o++) {
                settle(settleMillis);
                long t0 = System.nanoTime();
                for (int i = 0; i < calls[o]; i++) {
                    ops[o].run();
                }
                s[o][r] = (System.nanoTime() - t0) / 1e9 / calls[o];
            }
        }
        Result[] out = new Result[ops.length];
        for (int o = 0; o < ops.length; o++) {
            java.util.Arrays.sort(s[o]);
            out[o] = new Result(s[o][reps / 2], s[o][0]);
        }
        return out;
    }

    /** Pause before a repetition of multi-threaded operations timed side by side: see {@link #timeSideBySide}. */
    public static final long SETTLE_MILLIS = 100;

    /** The settle pause for operations on {@code threads} threads. */
    public static long settleFor(int threads) {
        return threads > 1 ? SETTLE_MILLIS : 0;
    }

    /** Sleeps {@code millis} (nothing for 0): the pause of {@link #timeSideBySide}, also for probes that time alike. */
    static void settle(long millis) {
        if (millis <= 0) return;
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("benchmark interrupted", e);
        }
    }

    /** Warms {@code op} up; returns the calls that make one repetition of about {@code repSeconds}. */
    private int warmUp(Runnable op) {
        // rounds of ~repSeconds until warmupSeconds have passed and, twice in a row, the JIT compiled
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
        return (int) Math.max(1, Math.min(1_000_000, repSeconds * 1e9 / last));
    }

    private static final java.lang.management.CompilationMXBean JIT =
            java.lang.management.ManagementFactory.getCompilationMXBean();

    /** Total JIT compilation time so far (0 when the JVM does not report it: then only timings decide). */
    private static long compileMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }
}
