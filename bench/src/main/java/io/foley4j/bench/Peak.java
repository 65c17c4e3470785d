package io.foley4j.bench;

import io.foley4j.kernels.Probe;
import io.foley4j.kernels.Simd;

/**
 * This machine's theoretical FP32 peak, derived from measurements rather than from the CPU's name:
 * {@code peak = cores x clock x lanes x 2 x fmaUnits} FLOP/s.
 *
 * <ul>
 *   <li>clock: a dependent chain of {@code long} adds ({@code x += y; y += x}, a recurrence the JIT cannot fold)
 *       runs at one add per cycle on every out-of-order core, so adds / second = cycles / second. It is timed
 *       while two independent FMA chains at the preferred width run in the same loop, so the core is at its
 *       clock under vector load (Intel cores lower it for heavy AVX-512 code). The plain chain is also reported.
 *       When the FMA probe below runs faster than {@code fmaUnits} FMAs per add-probe cycle (the adds lost a little
 *       to port sharing), the clock it implies is used instead, so the peak is never below a measured rate.</li>
 *   <li>lanes: float lanes of the platform's preferred vector species (16 at 512 bits).</li>
 *   <li>fmaUnits: sixteen independent FMA accumulators (enough to cover 2 units x 4 cycles latency, twice) give
 *       FLOP per cycle; rounded to the nearest multiple of {@code 2 x lanes}. Override with
 *       {@code -Dfoley4j.fmaUnits=N} when the probe is disturbed (a shared or throttled machine).</li>
 *   <li>cores: {@link Runtime#availableProcessors()}, assuming one hardware thread per core (no SMT; two SMT
 *       threads share one core's FMA units). Override with {@code -Dfoley4j.cores=N}.</li>
 * </ul>
 * Every probe runs several times after a warm-up and keeps its best repetition: interference from other
 * processes only ever makes a probe slower.
 *
 * <p>The vector loops are {@link Probe}'s (only {@code kernels} imports the Vector API).
 */
public record Peak(int cores, double ghz, double ghzAdds, double ghzNoVector, int bits, int lanes,
                   double flopPerCycle, int fmaUnits, boolean fmaUnitsOverridden, boolean coresOverridden) {

    /** Theoretical FP32 peak in GFLOP/s for {@code threads} cores. */
    public double gflops(int threads) {
        return threads * ghz * lanes * 2.0 * fmaUnits;
    }

    public double gflopsAll() {
        return gflops(cores);
    }

    /** Measures every term; {@code quick} shortens each probe. */
    public static Peak measure(boolean quick) {
        // many short repetitions: on a shared machine some ~10 ms slice runs undisturbed, and the best one counts
        int reps = quick ? 15 : 30;
        int iters = 20_000_000; // x 2 adds: ~10 ms at 4 GHz
        double ghzPlain = 0, ghzLoaded = 0, fpc = 0;
        for (int r = 0; r < reps + 3; r++) { // first three: warm-up (interpreter -> C1 -> C2)
            double g1 = addsPerNs(iters, false);
            double g2 = addsPerNs(iters / 4, true); // 8 adds per iteration
            if (r >= 3) {
                ghzPlain = Math.max(ghzPlain, g1);
                ghzLoaded = Math.max(ghzLoaded, g2);
            }
        }
        double ghzAdds = ghzLoaded;
        int fmaIters = 1_250_000; // 16 x 1.25M FMAs: ~10 ms at one 512-bit FMA per cycle
        for (int r = 0; r < reps + 3; r++) {
            long t0 = System.nanoTime();
            sink += fmaThroughput(fmaIters);
            double ns = System.nanoTime() - t0;
            if (r >= 3) {
                fpc = Math.max(fpc, 16.0 * fmaIters * Probe.preferredLanes() * 2 / (ns * ghzAdds));
            }
        }
        int lanes = Probe.preferredLanes();
        Integer unitsOverride = Integer.getInteger("foley4j.fmaUnits");
        int units = unitsOverride != null ? unitsOverride : (int) Math.max(1, Math.round(fpc / (2.0 * lanes)));
        // FMAs measured above units x 2 x lanes per add-probe cycle mean the add probe read the clock low (it
        // shares ports with the FMAs): then take the clock the FMA probe implies, so the peak never sits below a
        // throughput that was actually measured
        double ghz = Math.max(ghzAdds, ghzAdds * fpc / (2.0 * lanes * units));
        Integer coresOverride = Integer.getInteger("foley4j.cores");
        int cores = coresOverride != null ? coresOverride : Runtime.getRuntime().availableProcessors();
        return new Peak(cores, ghz, ghzAdds, ghzPlain, Probe.preferredBits(), lanes, fpc, units,
                unitsOverride != null, coresOverride != null);
    }

    /** Lines that state every term of the peak and its assumptions. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, """
                clock        %.2f GHz under %d-bit FMA load (add chain %.2f GHz with FMAs, %.2f GHz without; 1 add/cycle)
                vector       %d bits = %d float lanes (preferred species; kernels run %s)
                FMA units    %d per core (%s; measured %.1f FLOP/add-cycle with 16 independent accumulators)
                cores        %d (%s; assumes 1 hardware thread per core)
                FP32 peak    %d x %.2f GHz x %d lanes x 2 x %d FMA = %.1f GFLOP/s (%.1f per core)""",
                ghz, bits, ghzAdds, ghzNoVector, bits, lanes, Simd.describe(),
                fmaUnits, fmaUnitsOverridden ? "-Dfoley4j.fmaUnits" : "rounded to a multiple of 2 x lanes", flopPerCycle,
                cores, coresOverridden ? "-Dfoley4j.cores" : "availableProcessors", cores, ghz, lanes, fmaUnits,
                gflopsAll(), gflops(1));
    }

    static volatile long sink;
    private static volatile long seedX = 1, seedY = 2;
    private static volatile float seedF = 0.999f;

    /** G adds per second of a dependent add chain = GHz. */
    private static double addsPerNs(int iters, boolean vectorLoad) {
        long t0 = System.nanoTime();
        long r = vectorLoad ? chainWithFma(iters) : chain(iters);
        double ns = System.nanoTime() - t0;
        sink += r;
        return (vectorLoad ? 8.0 : 2.0) * iters / ns;
    }

    private static long chain(int iters) {
        long x = seedX, y = seedY;
        for (int i = 0; i < iters; i++) {
            x += y;
            y += x;
        }
        return x ^ y;
    }

    private static long chainWithFma(int iters) {
        return Probe.chainWithFma(seedX, seedY, seedF, iters);
    }

    private static long fmaThroughput(int iters) {
        return Probe.fmaThroughput(seedF, iters);
    }

    public static void main(String[] args) {
        System.out.println(measure(args.length > 0 && args[0].equals("--quick")).describe());
    }
}
