package io.foley4j.models.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.DType;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.RnnOps.Layout;
import io.foley4j.engine.RnnOps.RnnShape;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.OnnxModel;
import io.foley4j.loader.OnnxParser;
import io.foley4j.loader.OnnxTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ONNX node tests test_lstm_* and test_gru_* (resources rnn/onnx, see its README): model.onnx gives the node's
 * attributes, the .pb files its inputs and expected Y / Y_h. Metric: max absolute error over every output, tolerance
 * {@value #TOL} (ONNX's backend tests allow rtol 1e-3, atol 1e-7; the outputs are O(0.1)).
 */
class OnnxRnnConformanceTest {
    static final double TOL = 1e-6;
    static final WorkerPool POOL = new WorkerPool(1);

    @AfterAll
    static void close() {
        POOL.close();
    }

    static byte[] resource(String path) throws IOException {
        try (InputStream in = OnnxRnnConformanceTest.class.getResourceAsStream("/rnn/onnx/" + path)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /**
     * A bare TensorProto read with the project's own parser: wrapped as the single initializer (GraphProto field 5) of
     * a ModelProto's graph (field 7).
     */
    static OnnxTensor tensor(byte[] proto) throws IOException {
        ByteArrayOutputStream graph = new ByteArrayOutputStream(), model = new ByteArrayOutputStream();
        field(graph, 5, proto);
        field(model, 7, graph.toByteArray());
        OnnxModel m = OnnxParser.parse("test tensor", MemorySegment.ofArray(model.toByteArray()));
        return m.graph().initializers().get(0);
    }

    private static void field(ByteArrayOutputStream out, int number, byte[] bytes) {
        out.write(number << 3 | 2);
        for (long v = bytes.length; ; v >>>= 7) { // varint length
            if (v < 0x80) { out.write((int) v); break; }
            out.write((int) (v & 0x7F) | 0x80);
        }
        out.writeBytes(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_with_peepholes",
        "test_lstm_batchwise", "test_gru_defaults", "test_gru_with_initial_bias", "test_gru_seq_length",
        "test_gru_batchwise"})
    void matchesExpectedOutputs(String name) throws IOException {
        OnnxModel model = OnnxParser.parse(name, MemorySegment.ofArray(resource(name + "/model.onnx")));
        OnnxModel.Node node = model.graph().nodes().get(0);
        Map<String, OnnxTensor> in = new HashMap<>(), expected = new HashMap<>();
        for (int i = 0; ; i++) {
            byte[] b = resource(name + "/test_data_set_0/input_" + i + ".pb");
            if (b == null) break;
            OnnxTensor t = tensor(b);
            in.put(t.name(), t);
        }
        for (int i = 0; ; i++) {
            byte[] b = resource(name + "/test_data_set_0/output_" + i + ".pb");
            if (b == null) break;
            OnnxTensor t = tensor(b);
            expected.put(t.name(), t);
        }
        assertTrue(!expected.isEmpty(), name + ": no expected outputs");
        boolean lstm = node.opType().equals("LSTM");
        OnnxTensor x = in.get(node.inputs().get(0));
        long[] xd = x.dims();
        RnnShape shape = OnnxRnn.shape(node, (int) xd[2]);
        boolean bf = shape.layout() == Layout.BATCH_FIRST;
        int steps = (int) (bf ? xd[1] : xd[0]), batch = (int) (bf ? xd[0] : xd[1]), hid = shape.hidden();
        int dirs = shape.directions();
        try (Arena arena = Arena.ofConfined()) {
            RnnOps.RnnState state = RnnOps.RnnState.zeros(arena, shape, batch, lstm);
            if (optional(node, in, 5) != null) copy(optional(node, in, 5), state.h(), bf);
            if (lstm && optional(node, in, 6) != null) copy(optional(node, in, 6), state.c(), bf);
            int[] lengths = null;
            OnnxTensor seq = optional(node, in, 4);
            if (seq != null) {
                lengths = new int[batch];
                for (int b = 0; b < batch; b++) lengths[b] = (int) seq.toFloats()[b];
            }
            Tensor xt = Tensor.ofFloats(arena, x.toFloats(), (int) xd[0], (int) xd[1], (int) xd[2]);
            Tensor out = bf ? Tensor.allocate(arena, DType.F32, batch, steps, dirs * hid)
                    : Tensor.allocate(arena, DType.F32, steps, batch, dirs * hid);
            RnnOps.RnnScratch scratch = RnnOps.RnnScratch.allocate(arena, shape, batch, steps);
            OnnxTensor w = in.get(node.inputs().get(1)), r = in.get(node.inputs().get(2)), bias = optional(node, in, 3);
            if (lstm) {
                RnnOps.lstm(POOL, OnnxRnn.lstm(arena, shape, w, r, bias, optional(node, in, 7)), xt, state, out, lengths, scratch);
            } else {
                var lbr = node.attributes().get("linear_before_reset");
                RnnOps.gru(POOL, OnnxRnn.gru(arena, shape, w, r, bias, lbr != null && lbr.i() == 1), xt, state, out,
                        lengths, scratch);
            }
            int checked = 0;
            for (int k = 0; k < node.outputs().size(); k++) {
                String o = node.outputs().get(k);
                if (o.isEmpty() || !expected.containsKey(o)) continue;
                float[] want = expected.get(o).toFloats();
                float[] got = k == 0 ? onnxY(out.toFloats(), bf, steps, batch, dirs, hid)
                        : onnxState(k == 1 ? state.h() : state.c(), bf, batch, dirs, hid);
                Diff d = Diff.of(got, want, 1.0);
                assertTrue(d.maxAbs() <= TOL, name + " output " + o + ": " + d);
                checked++;
            }
            assertEquals(expected.size(), checked, name + ": every expected output is compared");
        }
    }

    private static OnnxTensor optional(OnnxModel.Node node, Map<String, OnnxTensor> in, int i) {
        return i < node.inputs().size() && !node.inputs().get(i).isEmpty() ? in.get(node.inputs().get(i)) : null;
    }

    /** ONNX initial_h / initial_c ([D, B, H], or [B, D, H] with layout 1) into our [D, B, H]. */
    private static void copy(OnnxTensor t, Tensor dst, boolean bf) {
        float[] v = t.toFloats();
        int d = dst.dim(0), b = dst.dim(1), h = dst.dim(2);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < b; j++)
                for (int k = 0; k < h; k++)
                    io.foley4j.kernels.Mem.setF32(dst.data(), ((long) i * b + j) * h + k,
                            v[bf ? (j * d + i) * h + k : (i * b + j) * h + k]);
    }

    /** Our out [T, B, D*H] as ONNX Y [T, D, B, H]; with layout 1 both are [B, T, D, H]. */
    private static float[] onnxY(float[] out, boolean bf, int steps, int batch, int dirs, int hid) {
        if (bf) return out;
        float[] y = new float[out.length];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                for (int d = 0; d < dirs; d++)
                    System.arraycopy(out, ((t * batch + b) * dirs + d) * hid, y, ((t * dirs + d) * batch + b) * hid, hid);
        return y;
    }

    /** Our state [D, B, H] as ONNX Y_h / Y_c: [D, B, H], or [B, D, H] with layout 1. */
    private static float[] onnxState(Tensor s, boolean bf, int batch, int dirs, int hid) {
        float[] v = s.toFloats();
        if (!bf) return v;
        float[] y = new float[v.length];
        for (int d = 0; d < dirs; d++)
            for (int b = 0; b < batch; b++)
                System.arraycopy(v, (d * batch + b) * hid, y, (b * dirs + d) * hid, hid);
        return y;
    }

    @org.junit.jupiter.api.Test
    void unsupportedAttributesAreNamed() throws IOException {
        OnnxModel model = OnnxParser.parse("m", MemorySegment.ofArray(resource("test_lstm_defaults/model.onnx")));
        OnnxModel.Node n = model.graph().nodes().get(0);
        var attrs = new java.util.LinkedHashMap<>(n.attributes());
        attrs.put("clip", new OnnxModel.Attribute("clip", OnnxModel.AttributeKind.FLOAT, 3f, 0, null, null, null, null,
                null, java.util.List.of(), java.util.List.of(), java.util.List.of()));
        OnnxModel.Node clipped = new OnnxModel.Node(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), attrs);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxRnn.shape(clipped, 2));
        assertTrue(e.getMessage().contains("clip"), e.getMessage());
    }
}
