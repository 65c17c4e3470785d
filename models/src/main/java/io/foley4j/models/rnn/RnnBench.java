package io.foley4j.models.rnn;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.RnnOps.Layout;
import io.foley4j.engine.RnnOps.RnnShape;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Simd;
import io.foley4j.models.vad.SileroVad;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Throughput of recurrent layers, for the bench module to wire in: LSTM steps/s of one layer (input = hidden) by
 * weight dtype, and Silero VAD chunks/s. Usage:
 * {@code java --add-modules jdk.incubator.vector -cp ... io.foley4j.models.rnn.RnnBench [silero_vad_v5.onnx]}
 * (1 thread; prints a table).
 */
public final class RnnBench {
    private RnnBench() {}

    /** LSTM time steps per second (one step = all batch items) over {@code steps}-step calls, best of {@code reps}. */
    public static double lstmStepsPerSecond(WorkerPool pool, int hidden, int batch, DType dtype, int steps, int reps) {
        try (Arena arena = Arena.ofShared()) {
            RnnShape s = new RnnShape(hidden, hidden, 1, false, Layout.TIME_FIRST);
            RnnOps.LstmWeights w = new RnnOps.LstmWeights(random(arena, 1, 4 * hidden, hidden, dtype),
                    random(arena, 2, 4 * hidden, hidden, dtype), null, null);
            RnnOps.LstmStack stack = new RnnOps.LstmStack(s, List.of(w));
            Tensor x = random(arena, 3, steps * batch, hidden, DType.F32).view(steps, batch, hidden);
            Tensor out = Tensor.allocate(arena, DType.F32, steps, batch, hidden);
            RnnOps.RnnState st = RnnOps.RnnState.zeros(arena, s, batch, true);
            RnnOps.RnnScratch scratch = RnnOps.RnnScratch.allocate(arena, s, batch, steps);
            double best = 0;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                RnnOps.lstm(pool, stack, x, st, out, null, scratch);
                best = Math.max(best, steps / ((System.nanoTime() - t0) * 1e-9));
            }
            return best;
        }
    }

    /** Silero VAD chunks per second over {@code pcm} (whole chunks), best of {@code reps} passes. */
    public static double sileroChunksPerSecond(SileroVad vad, float[] pcm, int reps) {
        double best = 0;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            int n = vad.speechProbabilities(pcm).length;
            best = Math.max(best, n / ((System.nanoTime() - t0) * 1e-9));
        }
        return best;
    }

    private static Tensor random(Arena arena, long seed, int rows, int cols, DType dtype) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        float k = (float) (1 / Math.sqrt(cols));
        for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * k);
        Tensor t = Tensor.ofFloats(arena, v, rows, cols);
        return dtype == DType.F32 ? t : LinearOps.quantize(arena, t, dtype);
    }

    public static void main(String[] args) throws Exception {
        try (WorkerPool pool = new WorkerPool(1)) {
            System.out.println("LSTM steps/s, 1 thread, " + Simd.describe());
            System.out.printf("%8s %6s %12s %12s %12s%n", "hidden", "batch", "F32", "F16", "I8_ROW");
            for (int hidden : new int[] {128, 512, 1024}) {
                for (int batch : new int[] {1, 8}) {
                    int steps = Math.max(8, 4_000_000 / (hidden * hidden * batch));
                    System.out.printf("%8d %6d", hidden, batch);
                    for (DType d : new DType[] {DType.F32, DType.F16, DType.I8_ROW}) {
                        lstmStepsPerSecond(pool, hidden, batch, d, steps, 3); // warm-up
                        System.out.printf(" %12.0f", lstmStepsPerSecond(pool, hidden, batch, d, steps, 5));
                    }
                    System.out.println();
                }
            }
            if (args.length > 0) {
                float[] pcm = new float[16_000 * 30];
                SplittableRandom r = new SplittableRandom(7);
                for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.1 * Math.sin(i * 0.05) + 0.01 * r.nextGaussian());
                for (DType d : new DType[] {DType.F32, DType.F16}) {
                    try (SileroVad vad = SileroVad.load(Path.of(args[0]), 16_000, d, pool)) {
                        sileroChunksPerSecond(vad, pcm, 2);
                        System.out.printf("Silero VAD (LSTM %s): %.0f chunks/s%n", d, sileroChunksPerSecond(vad, pcm, 3));
                    }
                }
            }
        }
    }
}
