package io.foley4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.foley4j.models.vit.VitConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * A ViT exported by {@code bench/src/main/python/vit_export.py} in ONNX Runtime: input {@code pixel_values}
 * [B, 3, H, W], outputs {@code last_hidden_state} [B, T, D], {@code pooler_output} [B, D], {@code image_embeds}
 * [B, P]. One session per thread count (ORT fixes intra-op threads at session creation), all graph optimizations,
 * sequential execution. Inputs and outputs wrap direct buffers made once per batch size and the outputs are pinned,
 * so a timed run measures the session, not Java-side allocation.
 */
final class OrtVit implements AutoCloseable {
    private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    private final OrtSession session;
    private final VitConfig c;

    OrtVit(Path onnx, VitConfig c, int threads) throws OrtException {
        this(onnx, c, threads, null);
    }

    /**
     * With {@code profilePrefix} non-null, ORT records every node's kernel time of every run into a JSON trace named
     * from that prefix; {@link #endProfiling()} closes it and returns its path.
     */
    OrtVit(Path onnx, VitConfig c, int threads, Path profilePrefix) throws OrtException {
        this.c = c;
        if (profilePrefix != null) {
            options.enableProfiling(profilePrefix.toString());
        }
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = OrtEnvironment.getEnvironment().createSession(onnx.toString(), options);
    }

    /** Ends ORT's profiling (see the constructor) and returns the trace file. */
    Path endProfiling() throws OrtException {
        return Path.of(session.endProfiling());
    }

    static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /** Bound I/O for {@code batch} frames of {@code pixels} (F32 [batch, 3, S, S], S = the config's image size). */
    Batch bind(float[] pixels, int batch) throws OrtException {
        return new Batch(pixels, batch);
    }

    final class Batch implements AutoCloseable {
        final int batch;
        private final FloatBuffer in, tokens, pooled, embeds;
        private final OnnxTensor inT, tokensT, pooledT, embedsT;
        private final Map<String, OnnxTensor> inputs, outputs;

        private Batch(float[] pixels, int batch) throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            int s = c.imageSize(), t = c.positions(), d = c.hidden(), p = c.outputDim();
            this.batch = batch;
            in = floats(batch * 3 * s * s);
            in.put(0, pixels, 0, batch * 3 * s * s);
            tokens = floats(batch * t * d);
            pooled = floats(batch * d);
            embeds = floats(batch * p);
            inT = OnnxTensor.createTensor(env, in, new long[] {batch, 3, s, s});
            tokensT = OnnxTensor.createTensor(env, tokens, new long[] {batch, t, d});
            pooledT = OnnxTensor.createTensor(env, pooled, new long[] {batch, d});
            embedsT = OnnxTensor.createTensor(env, embeds, new long[] {batch, p});
            inputs = Map.of("pixel_values", inT);
            outputs = Map.of("last_hidden_state", tokensT, "pooler_output", pooledT, "image_embeds", embedsT);
        }

        void run() {
            try (OrtSession.Result r = session.run(inputs, outputs)) {
                // outputs are pinned: read from their buffers
            } catch (OrtException e) {
                throw new IllegalStateException("ORT ViT " + c.name() + ": run failed at batch " + batch, e);
            }
        }

        float[] embeds() {
            return copy(embeds);
        }

        float[] pooled() {
            return copy(pooled);
        }

        float[] tokens() {
            return copy(tokens);
        }

        @Override
        public void close() {
            inT.close();
            tokensT.close();
            pooledT.close();
            embedsT.close();
        }
    }

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static float[] copy(FloatBuffer b) {
        float[] out = new float[b.capacity()];
        b.get(0, out);
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
        options.close();
    }
}
