package io.foley4j.models.rnn;

import io.foley4j.engine.RnnOps;
import io.foley4j.engine.RnnOps.GruWeights;
import io.foley4j.engine.RnnOps.Layout;
import io.foley4j.engine.RnnOps.LstmWeights;
import io.foley4j.engine.RnnOps.RnnShape;
import io.foley4j.engine.Tensor;
import io.foley4j.loader.OnnxModel;
import io.foley4j.loader.OnnxTensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * ONNX {@code LSTM} and {@code GRU} nodes as {@link RnnOps} stacks (one layer, forward or bidirectional; layout 0 or
 * 1). ONNX weights are W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H] = (Wb, Rb), P [D, 3H] with gate blocks in ONNX
 * order, permuted once here into the engine's PyTorch order:
 * <ul>
 * <li>LSTM (i, o, f, c) -> (i, f, g, o), g being ONNX's c; peepholes (p_i, p_o, p_f) -> (p_i, p_f, p_o);
 * <li>GRU (z, r, h) -> (r, z, n); {@code linear_before_reset} = 1 is PyTorch's formulation, 0 (the ONNX default) the
 *     reset-before-product one ({@link GruWeights#resetAfter}).
 * </ul>
 * Not supported (rejected by name): direction "reverse", activations other than the defaults, clip, input_forget.
 */
public final class OnnxRnn {
    private OnnxRnn() {}

    private static final int[] LSTM_ORDER = {0, 2, 3, 1}; // engine block k <- ONNX block LSTM_ORDER[k]
    private static final int[] GRU_ORDER = {1, 0, 2};
    private static final int[] PEEP_ORDER = {0, 2, 1};

    /** Shape of the node's stack for input size {@code input}; checks the attributes this adapter supports. */
    public static RnnShape shape(OnnxModel.Node node, int input) {
        String op = node.opType();
        if (!op.equals("LSTM") && !op.equals("GRU")) {
            throw new IllegalArgumentException("OnnxRnn: node " + node.name() + " is " + op + ", not LSTM or GRU");
        }
        Set<String> known = Set.of("hidden_size", "direction", "layout", "linear_before_reset");
        for (String a : node.attributes().keySet()) {
            if (!known.contains(a)) {
                throw new IllegalArgumentException("OnnxRnn: " + op + " attribute '" + a + "' is not supported (supported: "
                        + known + ")");
            }
        }
        OnnxModel.Attribute h = node.attributes().get("hidden_size"), dir = node.attributes().get("direction");
        OnnxModel.Attribute layout = node.attributes().get("layout");
        String d = dir == null ? "forward" : new String(dir.s(), java.nio.charset.StandardCharsets.UTF_8);
        if (h == null || !(d.equals("forward") || d.equals("bidirectional"))) {
            throw new IllegalArgumentException("OnnxRnn: " + op + " needs hidden_size and direction forward or"
                    + " bidirectional, got hidden_size " + (h == null ? "none" : h.i()) + ", direction " + d);
        }
        return new RnnShape(input, Math.toIntExact(h.i()), 1, d.equals("bidirectional"),
                layout != null && layout.i() == 1 ? Layout.BATCH_FIRST : Layout.TIME_FIRST);
    }

    /** LSTM cells from W, R and optional B, P (null when the node leaves them out). */
    public static RnnOps.LstmStack lstm(Arena arena, RnnShape s, OnnxTensor w, OnnxTensor r, OnnxTensor b, OnnxTensor p) {
        int dirs = s.directions(), hid = s.hidden(), in = s.input();
        float[] wf = floats("W", w, dirs, 4 * hid, in), rf = floats("R", r, dirs, 4 * hid, hid);
        float[] bf = b == null ? null : floats("B", b, dirs, 8 * hid), pf = p == null ? null : floats("P", p, dirs, 3 * hid);
        List<LstmWeights> cells = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            cells.add(new LstmWeights(blocks(arena, wf, d, LSTM_ORDER, hid, in), blocks(arena, rf, d, LSTM_ORDER, hid, hid),
                    bf == null ? null : blocks(arena, bf, 2 * d, LSTM_ORDER, hid, 1).view(4 * hid),
                    bf == null ? null : blocks(arena, bf, 2 * d + 1, LSTM_ORDER, hid, 1).view(4 * hid),
                    pf == null ? null : blocks(arena, pf, d, PEEP_ORDER, hid, 1).view(3 * hid)));
        }
        return new RnnOps.LstmStack(s, cells);
    }

    /** GRU cells from W, R and optional B; {@code linearBeforeReset} is the node's attribute (default 0). */
    public static RnnOps.GruStack gru(Arena arena, RnnShape s, OnnxTensor w, OnnxTensor r, OnnxTensor b,
                                      boolean linearBeforeReset) {
        int dirs = s.directions(), hid = s.hidden(), in = s.input();
        float[] wf = floats("W", w, dirs, 3 * hid, in), rf = floats("R", r, dirs, 3 * hid, hid);
        float[] bf = b == null ? null : floats("B", b, dirs, 6 * hid);
        List<GruWeights> cells = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            cells.add(new GruWeights(blocks(arena, wf, d, GRU_ORDER, hid, in), blocks(arena, rf, d, GRU_ORDER, hid, hid),
                    bf == null ? null : blocks(arena, bf, 2 * d, GRU_ORDER, hid, 1).view(3 * hid),
                    bf == null ? null : blocks(arena, bf, 2 * d + 1, GRU_ORDER, hid, 1).view(3 * hid), linearBeforeReset));
        }
        return new RnnOps.GruStack(s, cells);
    }

    /** Part {@code part} of {@code src} (order.length blocks of [hid, cols]) with its blocks reordered: [G*hid, cols]. */
    private static Tensor blocks(Arena arena, float[] src, int part, int[] order, int hid, int cols) {
        int block = hid * cols, g = order.length;
        float[] out = new float[g * block];
        for (int k = 0; k < g; k++) {
            System.arraycopy(src, part * g * block + order[k] * block, out, k * block, block);
        }
        return Tensor.ofFloats(arena, out, g * hid, cols);
    }

    private static float[] floats(String name, OnnxTensor t, int... dims) {
        long[] want = Arrays.stream(dims).asLongStream().toArray();
        if (!Arrays.equals(t.dims(), want)) {
            throw new IllegalArgumentException("OnnxRnn: " + name + " is " + Arrays.toString(t.dims()) + ", expected "
                    + Arrays.toString(want));
        }
        return t.toFloats();
    }
}
