package io.foley4j.models.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.foley4j.engine.DType;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Silero VAD v5 vs ONNX Runtime on the real model file and real audio (mixed.wav: 250 consecutive 512-sample chunks of
 * silence, espeak-ng speech, noise and tones), state carried across chunks on both sides. Metric: max absolute error
 * of the speech probability. F32 weights: {@value #TOL_F32}. F16 LSTM weights: {@value #TOL_F16} and identical
 * decisions at 0.5. I8_ROW LSTM weights: {@value #TOL_Q8}. Measured: F32 1.8e-6 (16 kHz), 1.7e-6 (8 kHz); F16 5.4e-4;
 * I8_ROW 1.4e-2.
 */
class SileroVadOnnxRuntimeTest {
    static final double TOL_F32 = 1e-4, TOL_F16 = 1e-2, TOL_Q8 = 5e-2;
    static final WorkerPool POOL = new WorkerPool(1);
    static float[] audio, ort16k, ort8k;

    @BeforeAll
    static void reference() throws Exception {
        audio = TestAudio.mixed16k();
        float[] audio8k = new float[audio.length / 2];
        for (int i = 0; i < audio8k.length; i++) audio8k[i] = audio[2 * i]; // decimation: the model sees 8 kHz input
        ort16k = ortProbabilities(audio, 16_000, 512, 64);
        ort8k = ortProbabilities(audio8k, 8_000, 256, 32);
    }

    @AfterAll
    static void close() {
        POOL.close();
    }

    /** As vad-web and silero-vad's OnnxWrapper: input = [64-sample context, chunk], state [2, 1, 128] carried. */
    static float[] ortProbabilities(float[] pcm, int sr, int chunk, int ctx) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions opt = new OrtSession.SessionOptions();
        opt.setIntraOpNumThreads(1);
        try (OrtSession s = env.createSession(TestAudio.sileroModel().toString(), opt)) {
            int n = pcm.length / chunk;
            float[] out = new float[n], state = new float[2 * 128], x = new float[ctx + chunk];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, chunk, x, 0, ctx); // the previous chunk's tail
                System.arraycopy(pcm, i * chunk, x, ctx, chunk);
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, ctx + chunk});
                     OnnxTensor st = OnnxTensor.createTensor(env, FloatBuffer.wrap(state), new long[] {2, 1, 128});
                     OnnxTensor rate = OnnxTensor.createTensor(env, (long) sr);
                     OrtSession.Result r = s.run(Map.of("input", in, "state", st, "sr", rate))) {
                    out[i] = ((float[][]) r.get("output").get().getValue())[0][0];
                    float[][][] sn = (float[][][]) r.get("stateN").get().getValue();
                    for (int k = 0; k < 2; k++) System.arraycopy(sn[k][0], 0, state, k * 128, 128);
                }
            }
            return out;
        }
    }

    static float[] ours(float[] pcm, int sr, DType lstm) throws Exception {
        try (SileroVad vad = SileroVad.load(TestAudio.sileroModel(), sr, lstm, POOL)) {
            int n = vad.config().chunk();
            float[] out = new float[pcm.length / n], chunk = new float[n];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(pcm, i * n, chunk, 0, n);
                out[i] = vad.process(chunk);
            }
            return out;
        }
    }

    @Test
    void referenceAudioHasSpeechAndNonSpeech() {
        int speech = 0;
        for (float p : ort16k) speech += p > 0.5f ? 1 : 0;
        assertTrue(ort16k.length >= 200 && speech >= 40 && speech <= ort16k.length - 40,
                ort16k.length + " chunks, " + speech + " with p > 0.5: the test audio must have both");
    }

    @Test
    void f32MatchesOnnxRuntime16k() throws Exception {
        Diff d = Diff.of(ours(audio, 16_000, DType.F32), ort16k, 1.0);
        assertTrue(d.maxAbs() <= TOL_F32, "16 kHz F32 vs ORT over " + ort16k.length + " chunks: " + d);
    }

    @Test
    void f32MatchesOnnxRuntime8k() throws Exception {
        float[] audio8k = new float[audio.length / 2];
        for (int i = 0; i < audio8k.length; i++) audio8k[i] = audio[2 * i];
        Diff d = Diff.of(ours(audio8k, 8_000, DType.F32), ort8k, 1.0);
        assertTrue(d.maxAbs() <= TOL_F32, "8 kHz F32 vs ORT over " + ort8k.length + " chunks: " + d);
    }

    @Test
    void f16LstmWeightsKeepDecisions() throws Exception {
        float[] half = ours(audio, 16_000, DType.F16);
        Diff d = Diff.of(half, ort16k, 1.0);
        assertTrue(d.maxAbs() <= TOL_F16, "16 kHz F16 LSTM vs ORT: " + d);
        for (int i = 0; i < half.length; i++) {
            assertEquals(ort16k[i] > 0.5f, half[i] > 0.5f, "decision at chunk " + i + ": ORT " + ort16k[i] + ", F16 " + half[i]);
        }
    }

    @Test
    void int8LstmWeightsStayClose() throws Exception {
        Diff d = Diff.of(ours(audio, 16_000, DType.I8_ROW), ort16k, 1.0);
        assertTrue(d.maxAbs() <= TOL_Q8, "16 kHz I8_ROW LSTM vs ORT: " + d);
    }

    @Test
    void wholeAudioMatchesStreaming() throws Exception {
        try (SileroVad vad = SileroVad.load(TestAudio.sileroModel(), 16_000, DType.F32, POOL)) {
            float[] all = vad.speechProbabilities(audio);
            assertEquals(ort16k.length, all.length);
            Diff d = Diff.of(all, ort16k, 1.0);
            assertTrue(d.maxAbs() <= TOL_F32, "speechProbabilities vs ORT: " + d);
        }
    }
}
