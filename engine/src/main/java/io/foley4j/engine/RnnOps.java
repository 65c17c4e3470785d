package io.foley4j.engine;

import io.foley4j.kernels.Checks;
import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.MatmulHalf;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Mem;
import io.foley4j.kernels.Rnn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Recurrent layers with PyTorch semantics and gate orders (LSTM i, f, g, o; GRU r, z, n; see {@link Rnn} for the
 * equations and how ONNX orders differ): stacks of {@code layers} x {@code directions} cells, batch-first or
 * time-first, optional per-item sequence lengths (ONNX {@code sequence_lens}). Per cell the input projection of all
 * steps and batch items is one GEMM ({@code [T*B, I] x W_ih^T}); only the recurrent part runs step by step, one
 * small GEMM ({@code [B, H] x W_hh^T}) per step with hidden units split over the pool when a step is big enough to
 * pay for the hand-off. Weights: F32, F16 or I8_ROW (each matrix independently), F32 accumulation.
 *
 * <p>The state (h, c) is explicit, {@code [layers*directions, B, H]} as PyTorch's h_n/c_n, and updated in place, so
 * streaming callers carry it across chunks. A bidirectional output concatenates (forward, backward) on the last
 * dimension; the backward direction of a chunk starts from the state's backward rows at the chunk's end.
 */
public final class RnnOps {
    private RnnOps() {}

    /** Multiply-adds one thread should get before a split pays for the hand-off (a 512^2 matvec does not). */
    private static final long MIN_MACS_PER_THREAD = 1L << 19;

    /** x [T, B, I] and out [T, B, D*H] (TIME_FIRST, PyTorch's default), or [B, T, I] / [B, T, D*H]. */
    public enum Layout { TIME_FIRST, BATCH_FIRST }

    /** Sizes of a stack. Cell {@code layer * directions() + d} is direction d (0 forward, 1 backward) of a layer. */
    public record RnnShape(int input, int hidden, int layers, boolean bidirectional, Layout layout) {
        public RnnShape {
            Checks.require(input > 0 && hidden > 0 && layers > 0 && layout != null, "rnn",
                    () -> "input, hidden, layers must be > 0 and layout set, got input " + input + ", hidden " + hidden
                            + ", layers " + layers + ", layout " + layout);
        }

        public int directions() {
            return bidirectional ? 2 : 1;
        }

        public int cells() {
            return layers * directions();
        }

        public int layerInput(int layer) {
            return layer == 0 ? input : directions() * hidden;
        }
    }

    /**
     * One LSTM cell: W_ih [4H, I], W_hh [4H, H]; b_ih, b_hh F32 [4H] or null; peephole F32 [3H] (p_i, p_f, p_o) or null
     * (ONNX only). Rows are gate blocks in PyTorch order (i, f, g, o).
     */
    public record LstmWeights(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, Tensor peephole) {
        public LstmWeights {
            checkCell("lstm", 4, wIh, wHh, bIh, bHh);
            int h = wHh.dim(1);
            Checks.require(peephole == null || (peephole.dtype() == DType.F32 && peephole.rank() == 1
                    && peephole.dim(0) == 3 * h), "lstm",
                    () -> "peephole must be F32 [" + 3 * h + "] or null, got " + peephole);
        }

        public LstmWeights(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
            this(wIh, wHh, bIh, bHh, null);
        }

        public int hidden() {
            return wHh.dim(1);
        }

        public int input() {
            return wIh.dim(1);
        }
    }

    /**
     * One GRU cell: W_ih [3H, I], W_hh [3H, H], biases F32 [3H] or null, rows in PyTorch order (r, z, n).
     * {@code resetAfter}: n = tanh(gx_n + r * (W_hn h + b_hn)) as PyTorch (ONNX linear_before_reset = 1); false is the
     * ONNX default, n = tanh(gx_n + W_hn (r * h) + b_hn).
     */
    public record GruWeights(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, boolean resetAfter) {
        public GruWeights {
            checkCell("gru", 3, wIh, wHh, bIh, bHh);
        }

        public int hidden() {
            return wHh.dim(1);
        }

        public int input() {
            return wIh.dim(1);
        }
    }

    /** All cells of an LSTM stack, index {@code layer * directions + direction}. */
    public record LstmStack(RnnShape shape, List<LstmWeights> cells) {
        public LstmStack {
            var copy = List.copyOf(cells);
            checkStack("lstm", shape, copy.size(), k -> copy.get(k).input(), k -> copy.get(k).hidden());
            cells = copy;
        }
    }

    /** All cells of a GRU stack, index {@code layer * directions + direction}. */
    public record GruStack(RnnShape shape, List<GruWeights> cells) {
        public GruStack {
            var copy = List.copyOf(cells);
            checkStack("gru", shape, copy.size(), k -> copy.get(k).input(), k -> copy.get(k).hidden());
            cells = copy;
        }
    }

    /** h, c F32 [layers*directions, B, H] (c null for a GRU), updated in place by each call. */
    public record RnnState(Tensor h, Tensor c) {
        public RnnState {
            Checks.require(h != null && h.dtype() == DType.F32 && h.rank() == 3, "rnn",
                    () -> "state h must be F32 [layers*directions, B, H], got " + h);
            Checks.require(c == null || (c.dtype() == DType.F32 && Arrays.equals(c.shape(), h.shape())), "rnn",
                    () -> "state c must be F32 " + Arrays.toString(h.shape()) + " like h, got " + c);
        }

        public static RnnState zeros(Arena arena, RnnShape shape, int batch, boolean lstm) {
            return new RnnState(Tensor.allocate(arena, DType.F32, shape.cells(), batch, shape.hidden()),
                    lstm ? Tensor.allocate(arena, DType.F32, shape.cells(), batch, shape.hidden()) : null);
        }

        public int batch() {
            return h.dim(1);
        }

        /** Back to the zero state, e.g. at the start of a new stream. */
        public void reset() {
            h.data().fill((byte) 0);
            if (c != null) c.data().fill((byte) 0);
        }
    }

    /**
     * Scratch for calls of up to {@code maxBatch} items x {@code maxSteps} steps on stacks of this hidden size,
     * directions and layers (any input size): input projections [T*B, 4H], layer outputs 2 x [T*B, D*H], recurrent
     * pre-activations [B, 4H], h double buffer 2 x [B, H], reset hidden [B, H], summed bias [4H].
     */
    public record RnnScratch(int hidden, int directions, int layers, int maxBatch, int maxSteps, MemorySegment proj,
                             MemorySegment layerOut, MemorySegment gh, MemorySegment h, MemorySegment rh,
                             MemorySegment bias) {
        public static RnnScratch allocate(Arena arena, RnnShape shape, int maxBatch, int maxSteps) {
            Checks.require(maxBatch > 0 && maxSteps > 0, "rnn", () -> "scratch needs maxBatch, maxSteps > 0, got "
                    + maxBatch + ", " + maxSteps);
            long rows = (long) maxBatch * maxSteps, h = shape.hidden();
            return new RnnScratch(shape.hidden(), shape.directions(), shape.layers(), maxBatch, maxSteps,
                    Mem.floats(arena, rows * 4 * h), Mem.floats(arena, shape.layers() > 1 ? 2 * rows * shape.directions() * h : 1),
                    Mem.floats(arena, maxBatch * 4 * h), Mem.floats(arena, 2 * maxBatch * h),
                    Mem.floats(arena, maxBatch * h), Mem.floats(arena, 4 * h));
        }

        boolean fits(RnnShape s, int batch, int steps) {
            return s.hidden() == hidden && s.directions() == directions && s.layers() <= layers && batch <= maxBatch
                    && steps <= maxSteps;
        }
    }

    // ---- stacks ----

    /**
     * Runs x ([T, B, I] or [B, T, I]) through the stack from {@code state}, writing the last layer's h of every step to
     * out ([T, B, D*H] or [B, T, D*H]) and leaving the final (h, c) of every cell in {@code state}. {@code lengths}
     * (null: all T) gives each item's valid steps: later steps leave its state alone and write zeros, as ONNX does.
     */
    public static void lstm(WorkerPool pool, LstmStack w, Tensor x, RnnState state, Tensor out, int[] lengths,
                            RnnScratch scratch) {
        Checks.require(state.c() != null, "lstm", "state needs c for an LSTM");
        run(pool, "lstm", w.shape(), 4, w, null, x, state, out, lengths, scratch);
    }

    /** As {@link #lstm} for a GRU stack (state c null). */
    public static void gru(WorkerPool pool, GruStack w, Tensor x, RnnState state, Tensor out, int[] lengths,
                           RnnScratch scratch) {
        run(pool, "gru", w.shape(), 3, null, w, x, state, out, lengths, scratch);
    }

    private static void run(WorkerPool pool, String op, RnnShape sh, int gates, LstmStack lstm, GruStack gru, Tensor x, RnnState state, Tensor out, int[] lengths, RnnScratch s) {
        int hid = sh.hidden(), dirs = sh.directions();
        Checks.require(x != null && x.dtype() == DType.F32 && x.rank() == 3 && x.dim(2) == sh.input(), op,
                () -> "x must be F32 " + (sh.layout() == Layout.TIME_FIRST ? "[T, B, " : "[B, T, ") + sh.input()
                        + "], got " + x);
        boolean tf = sh.layout() == Layout.TIME_FIRST;
        int steps = tf ? x.dim(0) : x.dim(1), batch = tf ? x.dim(1) : x.dim(0);
        int[] want = tf ? new int[] {steps, batch, dirs * hid} : new int[] {batch, steps, dirs * hid};
        Checks.require(out != null && out.dtype() == DType.F32 && Arrays.equals(out.shape(), want), op,
                () -> "out must be F32 " + Arrays.toString(want) + ", got " + out);
        int[] st = {sh.cells(), batch, hid};
        Checks.require(Arrays.equals(state.h().shape(), st), op, () -> "state must be [layers*directions, B, H] = "
                + Arrays.toString(st) + ", got " + Arrays.toString(state.h().shape()));
        Checks.require(s.fits(sh, batch, steps), op, () -> "scratch for hidden " + s.hidden() + ", " + s.directions()
                + " directions, " + s.layers() + " layers (batch <= " + s.maxBatch() + ", steps <= " + s.maxSteps()
                        + ") cannot run " + sh + " on batch " + batch + ", steps " + steps);
        Checks.require(lengths == null || lengths.length == batch, op,
                () -> "lengths must have one entry per batch item (" + batch + "), got "
                        + (lengths == null ? 0 : lengths.length));
        if (lengths != null) {
            for (int len : lengths) {
                Checks.require(len >= 0 && len <= steps, op,
                        () -> "sequence length " + len + " outside [0, " + steps + "]");
            }
        }
        Checks.require(!overlaps(out.data(), state.h().data())
                && (state.c() == null || !overlaps(out.data(), state.c().data())), op, "out overlaps the state");
        if (steps == 0 || batch == 0) return;
        long rows = (long) steps * batch;
        MemorySegment in = x.data();
        for (int layer = 0; layer < sh.layers(); layer++) {
            boolean last = layer == sh.layers() - 1;
            long outBytes = rows * dirs * hid * 4;
            MemorySegment dst = last ? out.data() : s.layerOut().asSlice((layer & 1) * outBytes, outBytes);
            for (int d = 0; d < dirs; d++) {
                int k = layer * dirs + d;
                Geometry g = new Geometry(tf, steps, batch, hid, gates, dirs * hid, d * hid, d == 1, lengths);
                MemorySegment h0 = state.h().data().asSlice(4L * k * batch * hid, 4L * batch * hid);
                MemorySegment c0 = state.c() == null ? null : state.c().data().asSlice(4L * k * batch * hid, 4L * batch * hid);
                if (lstm != null) lstmCell(pool, lstm.cells().get(k), g, in, sh.layerInput(layer), dst, h0, c0, s);
                else gruCell(pool, gru.cells().get(k), g, in, sh.layerInput(layer), dst, h0, s);
            }
            in = dst;
        }
    }

    /** Where step t of item b lives: row of x/out, and the output columns [off, off + H) of a row of width outDim. */
    private record Geometry(boolean timeFirst, int steps, int batch, int hid, int gates, int outDim, int off,
                            boolean reverse, int[] lengths) {
        long row(int t, int b) {
            return timeFirst ? (long) t * batch + b : (long) b * steps + t;
        }

        boolean active(int t, int b) {
            return lengths == null || t < lengths[b];
        }
    }

    private static void lstmCell(WorkerPool pool, LstmWeights w, Geometry g, MemorySegment in, int inDim,
                                 MemorySegment dst, MemorySegment h0, MemorySegment c, RnnScratch s) {
        int hid = g.hid(), g4 = 4 * hid;
        MemorySegment bias = null;
        if (w.bIh() != null || w.bHh() != null) { // gx = W_ih x + (b_ih + b_hh)
            bias = s.bias();
            for (int r = 0; r < g4; r++) {
                Mem.setF32(bias, r, (w.bIh() == null ? 0f : Mem.getF32(w.bIh().data(), r))
                        + (w.bHh() == null ? 0f : Mem.getF32(w.bHh().data(), r)));
            }
        }
        project(pool, w.wIh(), in, bias, s.proj(), g.steps() * g.batch(), g4, inDim);
        MemorySegment peep = w.peephole() == null ? null : w.peephole().data();
        recur(pool, g, w.wHh(), null, h0, dst, s, (hCur, hNext, t, j0, j1) -> {
            matmul(w.wHh(), hCur, null, s.gh(), g.batch(), g4, hid, 0, g.batch(), j0, j1, 4);
            for (int b = 0; b < g.batch(); b++) {
                if (!g.active(t, b)) continue;
                Rnn.lstmGates(s.proj().asSlice(4L * g4 * g.row(t, b), 4L * g4), s.gh().asSlice(4L * g4 * b, 4L * g4),
                        peep, c.asSlice(4L * hid * b, 4L * hid), hNext.asSlice(4L * hid * b, 4L * hid), hid, j0, j1);
            }
        });
    }

    private static void gruCell(WorkerPool pool, GruWeights w, Geometry g, MemorySegment in, int inDim,
                                MemorySegment dst, MemorySegment h0, RnnScratch s) {
        int hid = g.hid(), g3 = 3 * hid;
        project(pool, w.wIh(), in, w.bIh() == null ? null : w.bIh().data(), s.proj(), g.steps() * g.batch(), g3, inDim);
        MemorySegment bhh = w.bHh() == null ? null : w.bHh().data();
        recur(pool, g, w.wHh(), w.resetAfter() ? null : s.rh(), h0, dst, s, (hCur, hNext, t, j0, j1) -> {
            if (w.resetAfter()) {
                matmul(w.wHh(), hCur, bhh, s.gh(), g.batch(), g3, hid, 0, g.batch(), j0, j1, 3);
            } else if (hNext == null) { // phase 1: r and z rows from h, then r*h
                matmul(w.wHh(), hCur, bhh, s.gh(), g.batch(), g3, hid, 0, g.batch(), j0, j1, 2);
                for (int b = 0; b < g.batch(); b++) {
                    Rnn.gruReset(s.proj().asSlice(4L * g3 * g.row(t, b), 4L * g3), s.gh().asSlice(4L * g3 * b, 4L * g3),
                            hCur.asSlice(4L * hid * b, 4L * hid), s.rh().asSlice(4L * hid * b, 4L * hid), hid, j0, j1);
                }
                return;
            } else { // phase 2: n rows from r*h
                matmulRows(w.wHh(), s.rh(), bhh, s.gh(), g.batch(), g3, hid, 2 * hid + j0, 2 * hid + j1);
            }
            for (int b = 0; b < g.batch(); b++) {
                if (!g.active(t, b)) continue;
                Rnn.gruGates(s.proj().asSlice(4L * g3 * g.row(t, b), 4L * g3), s.gh().asSlice(4L * g3 * b, 4L * g3),
                        hCur.asSlice(4L * hid * b, 4L * hid), hNext.asSlice(4L * hid * b, 4L * hid), w.resetAfter(),
                        hid, j0, j1);
            }
        });
    }

    /** Work of one step on hidden units [j0, j1); hNext null marks the first of two phases (ONNX GRU reset). */
    @FunctionalInterface
    private interface Step {
        void run(MemorySegment hCur, MemorySegment hNext, int t, int j0, int j1);
    }

    /**
     * The step loop shared by LSTM and GRU: h double-buffered in scratch [B, H]; items past their length keep h and
     * write zeros; the step's h goes to dst. {@code twoPhase} non-null runs each step as two parallel phases.
     */
    private static void recur(WorkerPool pool, Geometry g, Tensor wHh, MemorySegment twoPhase, MemorySegment h0,
                              MemorySegment dst, RnnScratch s, Step step) {
        int hid = g.hid(), batch = g.batch();
        long hb = 4L * hid, bufBytes = hb * batch;
        MemorySegment[] buf = {s.h().asSlice(0, bufBytes), s.h().asSlice(bufBytes, bufBytes)};
        MemorySegment.copy(h0, 0, buf[0], 0, bufBytes);
        int parts = (int) Math.max(1, Math.min(Math.min(pool.threads(), hid / 4),
                (long) batch * g.gates() * hid * hid / MIN_MACS_PER_THREAD));
        int minUnits = Math.max(1, hid / parts);
        for (int i = 0; i < g.steps(); i++) {
            int t = g.reverse() ? g.steps() - 1 - i : i;
            MemorySegment hCur = buf[i & 1], hNext = buf[(i + 1) & 1];
            if (twoPhase != null) {
                pool.parallelFor(hid, minUnits, (j0, j1) -> step.run(hCur, null, t, j0, j1));
            }
            pool.parallelFor(hid, minUnits, (j0, j1) -> {
                step.run(hCur, hNext, t, j0, j1);
                for (int b = 0; b < batch; b++) {
                    long o = 4L * (g.row(t, b) * g.outDim() + g.off() + j0), n = 4L * (j1 - j0);
                    if (g.active(t, b)) {
                        MemorySegment.copy(hNext, hb * b + 4L * j0, dst, o, n);
                    } else {
                        MemorySegment.copy(hCur, hb * b + 4L * j0, hNext, hb * b + 4L * j0, n);
                        dst.asSlice(o, n).fill((byte) 0);
                    }
                }
            });
        }
        MemorySegment.copy(buf[g.steps() & 1], 0, h0, 0, bufBytes);
    }

    /** out[N, rows] = x[N, k] W^T + bias, split over the pool like {@link LinearOps#linear}. */
    private static void project(WorkerPool pool, Tensor w, MemorySegment x, MemorySegment bias, MemorySegment out, int n,
                                int rows, int k) {
        LinearOps.split(pool, LinearOps.MIN_MACS_PER_THREAD, n, rows, k, LinearOps.DOT_COLUMNS,
                (m0, m1, n0, n1) -> linearTile(w, x, bias, out, n, rows, k, m0, m1, n0, n1));
    }

    /** Gate blocks 0..blocks-1, units [j0, j1) of y[m, G*H] = x W^T + bias (H = k, the recurrent case). */
    private static void matmul(Tensor w, MemorySegment x, MemorySegment bias, MemorySegment y, int m, int n, int k,
                               int m0, int m1, int j0, int j1, int blocks) {
        for (int gate = 0; gate < blocks; gate++) {
            linearTile(w, x, bias, y, m, n, k, m0, m1, gate * k + j0, gate * k + j1);
        }
    }

    private static void matmulRows(Tensor w, MemorySegment x, MemorySegment bias, MemorySegment y, int m, int n, int k,
                                   int n0, int n1) {
        linearTile(w, x, bias, y, m, n, k, 0, m, n0, n1);
    }

    private static void linearTile(Tensor w, MemorySegment x, MemorySegment bias, MemorySegment y, int m, int n, int k,
                                   int m0, int m1, int n0, int n1) {
        switch (w.dtype()) {
            case F32 -> Matmul.matmulF32(x, w.data(), bias, y, m, n, k, m0, m1, n0, n1);
            case F16 -> MatmulHalf.matmulF16xF32(x, w.data(), bias, y, m, n, k, m0, m1, n0, n1);
            case I8_ROW -> MatmulQ8.matmulQ8xF32(x, w.data(), w.scales(), bias, y, m, n, k, m0, m1, n0, n1);
            default -> throw new IllegalStateException("unreachable: weights checked at construction");
        }
    }

    // ---- single layer, single direction, one sequence (the streaming form) ----

    /** Recurrent state of one cell, F32 [H] each, updated in place by {@link #lstm(WorkerPool, Tensor, LstmWeights, LstmState, Tensor, LstmScratch)}. */
    public record LstmState(Tensor h, Tensor c) {
        public LstmState {
            Checks.require(h != null && c != null && h.dtype() == DType.F32 && c.dtype() == DType.F32 && h.rank() == 1
                    && Arrays.equals(h.shape(), c.shape()), "lstm",
                    () -> "state h, c must be F32 [H] each, got " + h + ", " + c);
        }

        public static LstmState zeros(Arena arena, int hidden) {
            return new LstmState(Tensor.allocate(arena, DType.F32, hidden), Tensor.allocate(arena, DType.F32, hidden));
        }

        /** Back to the zero state, e.g. at the start of a new stream. */
        public void reset() {
            h.data().fill((byte) 0);
            c.data().fill((byte) 0);
        }
    }

    /** Scratch of the single-cell form: longer inputs run in chunks of {@code maxSteps}. */
    public record LstmScratch(RnnScratch scratch, int hidden, int maxSteps) {
        public static LstmScratch allocate(Arena arena, int hidden, int maxSteps) {
            RnnShape one = new RnnShape(1, hidden, 1, false, Layout.TIME_FIRST);
            return new LstmScratch(RnnScratch.allocate(arena, one, 1, maxSteps), hidden, maxSteps);
        }
    }

    /**
     * Runs x [T, I] through one forward cell from {@code state}, writing h of every step to out [T, H] and leaving
     * the final (h, c) in {@code state}.
     */
    public static void lstm(WorkerPool pool, Tensor x, LstmWeights w, LstmState state, Tensor out, LstmScratch scratch) {
        int hid = w.hidden(), in = w.input();
        Checks.require(x.dtype() == DType.F32 && x.rank() == 2 && x.dim(1) == in, "lstm",
                () -> "x must be F32 [T, " + in + "], got " + x);
        int steps = x.dim(0);
        Checks.require(out.dtype() == DType.F32 && Arrays.equals(out.shape(), new int[] {steps, hid}), "lstm",
                () -> "out must be F32 [" + steps + ", " + hid + "], got " + out);
        Checks.require(state.h().dim(0) == hid, "lstm",
                () -> "state is [" + state.h().dim(0) + "], weights have H = " + hid);
        Checks.require(scratch.hidden() == hid, "lstm",
                () -> "scratch is for H = " + scratch.hidden() + ", weights have H = " + hid);
        LstmStack stack = new LstmStack(new RnnShape(in, hid, 1, false, Layout.TIME_FIRST), List.of(w));
        RnnState st = new RnnState(state.h().view(1, 1, hid), state.c().view(1, 1, hid));
        for (int t0 = 0; t0 < steps; t0 += scratch.maxSteps()) {
            int t1 = Math.min(steps, t0 + scratch.maxSteps());
            lstm(pool, stack, x.slice(t0, t1).view(t1 - t0, 1, in), st, out.slice(t0, t1).view(t1 - t0, 1, hid), null,
                    scratch.scratch());
        }
    }

    // ---- checks ----

    private static void checkCell(String op, int gates, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        Checks.require(wHh != null && wHh.rank() == 2 && wHh.dim(1) > 0 && wHh.dim(0) == gates * wHh.dim(1), op,
                () -> "W_hh must be [" + gates + "H, H], got " + wHh);
        int rows = wHh.dim(0);
        Checks.require(wIh != null && wIh.rank() == 2 && wIh.dim(0) == rows && wIh.dim(1) > 0, op,
                () -> "W_ih must be [" + rows + ", I] to match W_hh " + Arrays.toString(wHh.shape()) + ", got " + wIh);
        Checks.require(weightType(wIh) && weightType(wHh), op,
                () -> "weights must be F32 or F16 (or I8_ROW), got W_ih " + wIh + ", W_hh " + wHh);
        for (Tensor b : new Tensor[] {bIh, bHh}) {
            Checks.require(b == null || (b.dtype() == DType.F32 && b.rank() == 1 && b.dim(0) == rows), op,
                    () -> "biases must be F32 [" + rows + "] or null, got " + b);
        }
    }

    private static boolean weightType(Tensor t) {
        return t.dtype() == DType.F32 || t.dtype() == DType.F16 || t.dtype() == DType.I8_ROW;
    }

    private static void checkStack(String op, RnnShape shape, int cells, java.util.function.IntUnaryOperator input,
                                   java.util.function.IntUnaryOperator hidden) {
        Checks.require(shape != null && cells == shape.cells(), op,
                () -> "stack " + shape + " needs " + (shape == null ? "?" : shape.cells())
                        + " cells (layers x directions), got " + cells);
        for (int cell = 0; cell < cells; cell++) {
            int k = cell, layer = k / shape.directions();
            Checks.require(input.applyAsInt(k) == shape.layerInput(layer) && hidden.applyAsInt(k) == shape.hidden(), op,
                    () -> "cell " + k + " (layer " + layer + ") must take input " + shape.layerInput(layer)
                            + " and hidden " + shape.hidden() + ", got input " + input.applyAsInt(k) + ", hidden "
                            + hidden.applyAsInt(k));
        }
    }

    private static boolean overlaps(MemorySegment a, MemorySegment b) {
        return a.asOverlappingSlice(b).isPresent();
    }
}
