package io.foley4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightsFormatException;
import io.foley4j.models.diffusion.Dit;
import io.foley4j.models.diffusion.DitConfig;
import io.foley4j.models.diffusion.DitState;
import io.foley4j.models.diffusion.DitWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Section {@code dit} (issue 6): the DiT denoiser at {@link DitConfig#defaults()} on 10 s of audio (430 latent frames,
 * batch 2 = one classifier-free-guidance pass, 16 text tokens, per-frame conditioning): forward passes/s and seconds
 * of audio generated per second at {@link #STEPS} sampler steps, ours FP32 and mixed (INT8 feed-forward + FP16 LSTM)
 * vs ONNX Runtime running the same denoiser exported from PyTorch, on 1 and 2 threads. The model, its weights in
 * our format and one parity case come from {@value #SCRIPT} (run on first use into {@value #DIR}); ours and ORT are
 * checked against torch's output on that case before anything is timed.
 */
final class DenoiserBench {
    private DenoiserBench() {}

    static final String DIR = ".cache/dit-onnx", SCRIPT = "bench/src/main/python/export_dit_onnx.py";
    static final int FRAMES = 430, TOKENS = 16, BATCH = 2;
    static final double AUDIO_SECONDS = 10.0;
    /** Sampler steps per generation (DPM-Solver++(2M) / flow Euler at a typical quality setting). */
    static final int STEPS = 25;
    /** FP32 parity vs torch (ours and ORT): max |a - e| / max(|e|, 1). */
    static final double FP32_TOL = 1e-3;

    static void run(QuickBench.Options o, Report report)
            throws IOException, OrtException, WeightsFormatException, InterruptedException {
        Path dir = LstmBench.root().resolve(DIR);
        String title = Report.f("DiT denoiser, DitConfig.defaults(), %.0f s of audio (%d frames, batch %d = one CFG"
                + " pass, %d text tokens); audio s/s at %d steps", AUDIO_SECONDS, FRAMES, BATCH, TOKENS, STEPS);
        if (!exported(dir)) {
            report.table(title, new int[] {-40}, "implementation");
            report.row(null, null, "(skipped: " + SCRIPT + " could not export into " + dir + ")");
            report.endTable();
            return;
        }
        Timing base = o.timing();
        // a forward takes 0.1-1 s: a few whole calls per repetition, and a longer warm-up than single kernels
        Timing t = new Timing(Math.max(2, 3 * base.warmupSeconds()), 0.5, o.quick() ? 3 : 5);
        try (Arena arena = Arena.ofShared();
             SafetensorsFile weights = SafetensorsFile.open(dir.resolve("dit_default.safetensors"));
             SafetensorsFile caseFile = SafetensorsFile.open(dir.resolve("dit_default_case.safetensors"))) {
            DitConfig cfg = DitConfig.defaults();
            Tensor x = caseFile.toF32("x", arena), text = caseFile.toF32("text", arena);
            Tensor cond = caseFile.toF32("cond", arena);
            float[] ts = caseFile.toF32("t", arena).toFloats(), expected = caseFile.toF32("out", arena).toFloats();
            DitWeights.Precision[] precisions = {DitWeights.Precision.FP32, DitWeights.Precision.MIXED};
            DitWeights[] w = new DitWeights[precisions.length];
            for (int p = 0; p < precisions.length; p++) {
                w[p] = DitWeights.load(weights, cfg, precisions[p], arena);
            }
            report.table(title, new int[] {-34, 7, 10, 10, 10, 8}, "implementation", "threads", "forwards/s",
                    "ms/forward", "audio s/s", "vs ORT");
            String[] parity = new String[precisions.length + 1];
            for (int threads : new int[] {1, 2}) {
                double[] rate = new double[precisions.length];
                double ort;
                // every precision and ORT timed side by side (see Timing#timeSideBySide)
                try (WorkerPool pool = new WorkerPool(threads);
                     OrtDit s = new OrtDit(dir.resolve("dit_default.onnx"), threads, x, ts, text, cond)) {
                    Runnable[] calls = new Runnable[precisions.length + 1];
                    for (int p = 0; p < precisions.length; p++) {
                        DitState st = new DitState(cfg, threads, arena);
                        Tensor out = Tensor.allocate(arena, DType.F32, x.shape());
                        DitWeights wp = w[p];
                        Runnable forward = () -> Dit.forward(wp, st, pool, x, ts, text, null, cond, out);
                        forward.run();
                        Diff d = Diff.of(out.toFloats(), expected, 1.0);
                        if (p == 0 && d.maxRel() > FP32_TOL) {
                            throw new IllegalStateException("dit: ours (FP32) differs from torch: " + d);
                        }
                        parity[p] = d.toString();
                        calls[p] = forward;
                    }
                    Diff d = Diff.of(s.forward(), expected, 1.0);
                    if (d.maxRel() > FP32_TOL) {
                        throw new IllegalStateException("dit: ONNX Runtime differs from torch: " + d);
                    }
                    parity[precisions.length] = d.toString();
                    calls[precisions.length] = s::forward;
                    Timing.Result[] r = t.timeSideBySide(Timing.settleFor(threads), calls);
                    for (int p = 0; p < precisions.length; p++) {
                        rate[p] = 1 / o.seconds(r[p]);
                    }
                    ort = 1 / o.seconds(r[precisions.length]);
                }
                for (int p = 0; p < precisions.length; p++) {
                    row(report, "ours, FF " + precisions[p].feedForward() + ", LSTM " + precisions[p].lstm(), threads,
                            rate[p], ort);
                }
                row(report, "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion(), threads, ort, ort);
            }
            report.endTable();
            report.note("DiT parity vs torch on the exported case: ours FP32 " + parity[0] + "; ours mixed "
                    + parity[1] + "; ORT " + parity[2]);
        }
    }

    private static void row(Report report, String name, int threads, double rate, double ort) {
        report.row(null, null, name, String.valueOf(threads), Report.f("%.2f", rate), Report.f("%.0f", 1e3 / rate),
                Report.f("%.2f", AUDIO_SECONDS * rate / STEPS), Report.f("%.2fx", rate / ort));
    }

    /** True when the export files exist, after running the export script once if they did not. */
    private static boolean exported(Path dir) throws IOException, InterruptedException {
        String[] files = {"dit_default.onnx", "dit_default.safetensors", "dit_default_case.safetensors"};
        if (java.util.Arrays.stream(files).allMatch(f -> Files.exists(dir.resolve(f)))) {
            return true;
        }
        Path root = LstmBench.root();
        Files.createDirectories(dir.getParent());
        Path ignore = dir.getParent().resolve(".gitignore");
        if (!Files.exists(ignore)) {
            Files.writeString(ignore, "*\n");
        }
        System.out.println("exporting the DiT to ONNX: /usr/bin/python3 " + SCRIPT + " " + dir);
        Process p = new ProcessBuilder("/usr/bin/python3", root.resolve(SCRIPT).toString(), dir.toString(),
                String.valueOf(FRAMES), String.valueOf(TOKENS)).inheritIO().start();
        return p.waitFor() == 0 && java.util.Arrays.stream(files).allMatch(f -> Files.exists(dir.resolve(f)));
    }

    /** The exported denoiser in ONNX Runtime with the case's inputs wrapped once in direct buffers. */
    private static final class OrtDit implements AutoCloseable {
        private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        private final OrtSession session;
        private final Map<String, OnnxTensor> inputs;

        OrtDit(Path model, int threads, Tensor x, float[] t, Tensor text, Tensor cond) throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model.toString(), options);
            inputs = Map.of("x", tensor(env, x.toFloats(), x.shape()), "t", tensor(env, t, t.length),
                    "text", tensor(env, text.toFloats(), text.shape()),
                    "cond", tensor(env, cond.toFloats(), cond.shape()));
        }

        private static OnnxTensor tensor(OrtEnvironment env, float[] v, int... shape) throws OrtException {
            FloatBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
            b.put(v).rewind();
            return OnnxTensor.createTensor(env, b, java.util.Arrays.stream(shape).asLongStream().toArray());
        }

        float[] forward() {
            try (OrtSession.Result r = session.run(inputs)) {
                FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] a = new float[out.remaining()];
                out.get(a);
                return a;
            } catch (OrtException e) {
                throw new IllegalStateException("ORT DiT: run failed", e);
            }
        }

        @Override
        public void close() throws OrtException {
            for (OnnxTensor v : inputs.values()) {
                v.close();
            }
            session.close();
            options.close();
        }
    }

    /** {@code DenoiserBench [--quick] [--best]}: this section alone. */
    public static void main(String[] args) throws Exception {
        QuickBench.Options o = QuickBench.Options.parse(args);
        run(o, new Report(System.out));
    }
}
