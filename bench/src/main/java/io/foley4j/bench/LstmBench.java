package io.foley4j.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.RnnOps.Layout;
import io.foley4j.engine.RnnOps.RnnShape;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.models.vad.SileroVad;
import io.foley4j.pipeline.audio.Wav;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Section {@code lstm} of the quick benchmark (issue 5), on 1 thread: LSTM time steps/s by weight dtype, and
 * Silero VAD v5 chunks/s, ours vs ONNX Runtime running the original ONNX file with its state carried across chunks.
 * Both go through {@link Timing}, which warms up until the JIT is done and the rounds agree (a fixed warm-up count
 * is not enough: the Silero forward settles only after some ten thousand chunks).
 */
final class LstmBench {
    private LstmBench() {}

    static final String FP16_TARGET = "LSTM FP16 weights no slower than FP32 at hidden 1024";
    static final String SILERO_TARGET = "Silero VAD ours >= 1.0x ONNX Runtime (1 thread)";
    static final int STEPS = 64; // time steps per timed call: the input projection is one GEMM over all of them
    static final String MODEL = ".cache/testdata/silero_vad_v5.onnx", AUDIO = "models/src/test/resources/vad/mixed.wav";

    static void run(QuickBench.Options o, Report report) throws IOException, OrtException {
        try (WorkerPool pool = new WorkerPool(1)) {
            lstm(o, report, pool);
            silero(o, report, pool);
        }
    }

    /** One layer, input = hidden, time-first, FP32 / FP16 / INT8 (per-row scales) weights, FP32 activations. */
    static void lstm(QuickBench.Options o, Report report, WorkerPool pool) {
        report.table("LSTM time steps/s, 1 layer (input = hidden), " + STEPS + " steps per call, 1 thread",
                new int[] {6, 5, 12, 12, 12, 9, 9, 7}, "hidden", "batch", "F32", "F16", "I8_ROW", "F16/F32",
                "I8/F32", "target");
        Timing t = o.timing();
        DType[] dtypes = {DType.F32, DType.F16, DType.I8_ROW};
        for (int hidden : new int[] {128, 512, 1024}) {
            for (int batch : new int[] {1, 8}) {
                double[] rate = new double[dtypes.length];
                try (Arena arena = Arena.ofShared()) { // the three side by side (see Timing#timeSideBySide)
                    Runnable[] calls = new Runnable[dtypes.length];
                    for (int d = 0; d < dtypes.length; d++) {
                        calls[d] = lstmCall(arena, pool, hidden, batch, dtypes[d]);
                    }
                    Timing.Result[] r = t.timeSideBySide(Timing.settleFor(pool.threads()), calls);
                    for (int d = 0; d < dtypes.length; d++) {
                        rate[d] = STEPS / o.seconds(r[d]);
                    }
                }
                double f16 = rate[1] / rate[0], i8 = rate[2] / rate[0];
                report.row(FP16_TARGET, hidden == 1024 ? f16 >= 1.0 : null, String.valueOf(hidden),
                        String.valueOf(batch), Report.f("%.0f", rate[0]), Report.f("%.0f", rate[1]),
                        Report.f("%.0f", rate[2]), Report.f("%.2fx", f16), Report.f("%.2fx", i8));
            }
        }
        report.endTable();
    }

    private static Runnable lstmCall(Arena arena, WorkerPool pool, int hidden, int batch, DType dtype) {
        RnnShape s = new RnnShape(hidden, hidden, 1, false, Layout.TIME_FIRST);
        RnnOps.LstmWeights w = new RnnOps.LstmWeights(random(arena, 1, 4 * hidden, hidden, dtype),
                random(arena, 2, 4 * hidden, hidden, dtype), random(arena, 3, 1, 4 * hidden, DType.F32).view(4 * hidden),
                null);
        RnnOps.LstmStack stack = new RnnOps.LstmStack(s, List.of(w));
        Tensor x = random(arena, 4, STEPS * batch, hidden, DType.F32).view(STEPS, batch, hidden); // [steps, batch, in]
        Tensor out = Tensor.allocate(arena, DType.F32, STEPS, batch, hidden);
        RnnOps.RnnState st = RnnOps.RnnState.zeros(arena, s, batch, true);
        RnnOps.RnnScratch scratch = RnnOps.RnnScratch.allocate(arena, s, batch, STEPS);
        return () -> RnnOps.lstm(pool, stack, x, st, out, null, scratch);
    }

    /** Uniform in +-1/sqrt(cols) (PyTorch's LSTM init), quantized to {@code dtype}. */
    private static Tensor random(Arena arena, long seed, int rows, int cols, DType dtype) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        float k = (float) (1 / Math.sqrt(cols));
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * k);
        }
        Tensor t = Tensor.ofFloats(arena, v, rows, cols);
        return dtype == DType.F32 ? t : LinearOps.quantize(arena, t, dtype);
    }

    /** Silero VAD over the committed test audio: whole passes from a fresh state, ours (F32 and F16 LSTM) and ORT. */
    static void silero(QuickBench.Options o, Report report, WorkerPool pool) throws IOException, OrtException {
        Path root = root();
        Path model = root.resolve(MODEL), audio = root.resolve(AUDIO);
        report.table("Silero VAD v5 chunks/s (512 samples at 16 kHz), 1 thread, " + AUDIO,
                new int[] {-26, 12, 8, 7}, "implementation", "chunks/s", "vs ORT", "target");
        if (!Files.exists(model) || !Files.exists(audio)) {
            report.row(null, null, "(skipped: missing " + (Files.exists(model) ? audio : model)
                    + "; run scripts/fetch-test-data.sh)", "", "", "");
            report.endTable();
            return;
        }
        float[] pcm = Wav.read(audio).channel(0);
        int chunks = pcm.length / 512;
        pcm = java.util.Arrays.copyOf(pcm, chunks * 512); // whole chunks: ORT takes exactly 512 samples per run
        // the forward is a chain of small ops: give the JIT a longer budget to settle than single kernels need
        Timing base = o.timing();
        Timing t = new Timing(3 * base.warmupSeconds(), 2 * base.repSeconds(), base.reps());
        double[] ours = new double[2];
        double ort;
        float maxDiff = 0;
        // ours F32, ours F16 and ORT timed side by side (see Timing#timeSideBySide)
        try (SileroVad f32 = SileroVad.load(model, 16_000, DType.F32, pool);
             SileroVad f16 = SileroVad.load(model, 16_000, DType.F16, pool);
             OrtSilero s = new OrtSilero(model)) {
            float[] in = pcm;
            Timing.Result[] r = t.timeSideBySide(Timing.settleFor(pool.threads()), () -> f32.speechProbabilities(in),
                    () -> f16.speechProbabilities(in), () -> s.probabilities(in));
            ours[0] = chunks / o.seconds(r[0]);
            ours[1] = chunks / o.seconds(r[1]);
            ort = chunks / o.seconds(r[2]);
            float[] oursP = f32.speechProbabilities(in), p = s.probabilities(in);
            for (int i = 0; i < chunks; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(p[i] - oursP[i]));
            }
        }
        report.row(SILERO_TARGET, ours[0] >= ort, "ours (LSTM F32 weights)", Report.f("%.0f", ours[0]),
                Report.f("%.2fx", ours[0] / ort));
        report.row(SILERO_TARGET, null, "ours (LSTM F16 weights)", Report.f("%.0f", ours[1]),
                Report.f("%.2fx", ours[1] / ort));
        report.row(SILERO_TARGET, null, "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion(),
                Report.f("%.0f", ort), "1.00x");
        report.endTable();
        report.note(Report.f("Silero parity over the %d chunks: max |p_ours(F32) - p_ORT| = %.2e", chunks, maxDiff));
    }

    /**
     * The original Silero ONNX in ONNX Runtime, one 512-sample chunk per run, fed as vad-web and silero-vad's
     * OnnxWrapper do: input [1, 64 + 512] (the previous chunk's last 64 samples, then the chunk), state [2, 1, 128],
     * sr int64 scalar; stateN is copied into the state input for the next chunk. All tensors wrap direct buffers
     * allocated once and the outputs are pinned, so a run measures the session, not Java-side allocation.
     */
    private static final class OrtSilero implements AutoCloseable {
        private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        private final OrtSession session;
        private final OnnxTensor input, state, sr, output, stateN;
        private static final int CTX = 64;
        private final FloatBuffer inBuf, stateBuf, outBuf, stateNBuf;

        OrtSilero(Path model) throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model.toString(), options);
            inBuf = floats(CTX + 512);
            stateBuf = floats(2 * 128);
            outBuf = floats(1);
            stateNBuf = floats(2 * 128);
            input = OnnxTensor.createTensor(env, inBuf, new long[] {1, CTX + 512});
            state = OnnxTensor.createTensor(env, stateBuf, new long[] {2, 1, 128});
            long[] srShape = ((TensorInfo) session.getInputInfo().get("sr").getInfo()).getShape();
            sr = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(new long[] {16_000}),
                    srShape.length == 0 ? new long[0] : new long[] {1});
            NodeInfo outInfo = session.getOutputInfo().get("output");
            long[] outShape = ((TensorInfo) outInfo.getInfo()).getShape(); // [1, 1]; symbolic dims as -1
            output = OnnxTensor.createTensor(env, outBuf, outShape.length == 2 ? new long[] {1, 1} : new long[] {1});
            stateN = OnnxTensor.createTensor(env, stateNBuf, new long[] {2, 1, 128});
        }

        private static FloatBuffer floats(int n) {
            return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        /** Speech probability of every whole chunk of {@code pcm}, from a zero state and context. */
        float[] probabilities(float[] pcm) {
            float[] p = new float[pcm.length / 512];
            for (int i = 0; i < 2 * 128; i++) {
                stateBuf.put(i, 0f);
            }
            for (int i = 0; i < CTX; i++) {
                inBuf.put(i, 0f);
            }
            Map<String, OnnxTensor> in = Map.of("input", input, "state", state, "sr", sr);
            Map<String, OnnxTensor> out = Map.of("output", output, "stateN", stateN);
            for (int c = 0; c < p.length; c++) {
                if (c > 0) {
                    inBuf.put(0, pcm, c * 512 - CTX, CTX); // the previous chunk's tail (zeros before the first)
                }
                inBuf.put(CTX, pcm, c * 512, 512);
                try (OrtSession.Result r = session.run(in, out)) {
                    // outputs are pinned: read from their buffers
                } catch (OrtException e) {
                    throw new IllegalStateException("ORT Silero VAD: run failed at chunk " + c, e);
                }
                p[c] = outBuf.get(0);
                stateBuf.put(0, stateNBuf, 0, 2 * 128);
            }
            return p;
        }

        @Override
        public void close() throws OrtException {
            input.close();
            state.close();
            sr.close();
            output.close();
            stateN.close();
            session.close();
            options.close();
        }
    }

    /** The repository root: above the working directory, else above this class's build folder (bin/foley's layout). */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("scripts/fetch-test-data.sh"))) {
                return dir;
            }
        }
        var source = LstmBench.class.getProtectionDomain().getCodeSource();
        if (source != null) {
            try {
                for (Path dir = Path.of(source.getLocation().toURI()); dir != null; dir = dir.getParent()) {
                    if (Files.exists(dir.resolve("scripts/fetch-test-data.sh"))) {
                        return dir;
                    }
                }
            } catch (URISyntaxException e) {
                // not a file location: the working directory below
            }
        }
        return Path.of("").toAbsolutePath();
    }
}
