package io.foley4j.models.diffusion;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import java.lang.foreign.Arena;

/**
 * Denoiser forward passes per second with random weights, FP32 vs mixed (INT8 FF + FP16 LSTM), for the bench.
 * Usage: {@code DitBench [frames=430] [batch=2] [reps=3] [threads=1,2]}; frames 430 = 10 s of a 43 Hz latent.
 */
public final class DitBench {
    private DitBench() {}

    /** Timing of one configuration. */
    public record Result(DitWeights.Precision precision, int threads, int frames, int batch, double forwardsPerSecond) {}

    /** Times {@code reps} forwards after one warm-up forward. */
    public static Result time(DitConfig cfg, DitWeights.Precision precision, int threads, int frames, int batch,
                              int reps) {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(threads)) {
            DitWeights w = DitWeights.random(cfg, precision, 1, arena);
            DitState st = new DitState(cfg, threads, arena);
            Tensor x = Tensor.allocate(arena, DType.F32, batch, frames, cfg.inChannels());
            Tensor out = Tensor.allocate(arena, DType.F32, batch, frames, cfg.inChannels());
            Tensor text = Tensor.allocate(arena, DType.F32, batch, 16, cfg.textDim());
            Tensor cond = Tensor.allocate(arena, DType.F32, batch, frames, cfg.condDim());
            float[] t = new float[batch];
            java.util.Arrays.fill(t, 500f);
            Dit.forward(w, st, pool, x, t, text, null, cond, out);
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                Dit.forward(w, st, pool, x, t, text, null, cond, out);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return new Result(precision, threads, frames, batch, reps / s);
        }
    }

    public static void main(String[] args) {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 430;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String[] threads = (args.length > 3 ? args[3] : "1,2").split(",");
        DitConfig cfg = DitConfig.defaults();
        System.out.println("DiT " + cfg + ", frames " + frames + ", batch " + batch);
        for (String th : threads) {
            for (DitWeights.Precision p : new DitWeights.Precision[] {DitWeights.Precision.FP32,
                    DitWeights.Precision.MIXED}) {
                Result r = time(cfg, p, Integer.parseInt(th), frames, batch, reps);
                System.out.printf("%-28s threads %d: %.3f forwards/s (%.1f ms)%n", "FF " + p.feedForward() + ", LSTM "
                        + p.lstm(), r.threads(), r.forwardsPerSecond(), 1000 / r.forwardsPerSecond());
            }
        }
    }
}
