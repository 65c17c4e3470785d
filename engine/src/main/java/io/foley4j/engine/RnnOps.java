package io.foley4j.engine;

import io.foley4j.kernels.Checks;
import io.foley4j.kernels.Mem;
import io.foley4j.kernels.Rnn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A single-direction LSTM layer (PyTorch semantics and gate order i, f, g, o; see {@link Rnn} for the equations and
 * the ONNX order). The input projection of a chunk of steps is one batched product; the recurrence then runs one
 * cell per step, hidden units split over the pool when a step is big enough to pay for the hand-off. The state
 * (h, c) is explicit so streaming callers carry it across chunks.
 */
public final class RnnOps {
    private RnnOps() {}

    /** Multiply-adds one thread should get before a split pays for the hand-off (a 512^2 matvec does not). */
    private static final long MIN_MACS_PER_THREAD = 1L << 19;

    /**
     * W_ih [4H, I], W_hh [4H, H] in F32 or F16 (each independently); b_ih, b_hh F32 [4H] or null. Rows are gate blocks
     * in PyTorch order (i, f, g, o).
     */
    public record LstmWeights(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        public LstmWeights {
            Checks.require(wHh != null && wHh.rank() == 2 && wHh.dim(1) > 0 && wHh.dim(0) == 4 * wHh.dim(1), "lstm",
                    "W_hh must be [4H, H], got " + wHh);
            int g4 = wHh.dim(0);
            Checks.require(wIh != null && wIh.rank() == 2 && wIh.dim(0) == g4, "lstm",
                    "W_ih must be [" + g4 + ", I] to match W_hh " + Arrays.toString(wHh.shape()) + ", got " + wIh);
            Checks.require(halfOrFloat(wIh) && halfOrFloat(wHh), "lstm",
                    "weights must be F32 or F16, got W_ih " + wIh + ", W_hh " + wHh);
            for (Tensor b : new Tensor[] {bIh, bHh}) {
                Checks.require(b == null || (b.dtype() == DType.F32 && b.rank() == 1 && b.dim(0) == g4), "lstm",
                        "biases must be F32 [" + g4 + "] or null, got " + b);
            }
        }

        public int hidden() {
            return wHh.dim(1);
        }

        public int input() {
            return wIh.dim(1);
        }

        private static boolean halfOrFloat(Tensor t) {
            return t.dtype() == DType.F32 || t.dtype() == DType.F16;
        }
    }

    /** Recurrent state, F32 [H] each, updated in place by {@link #lstm}. */
    public record LstmState(Tensor h, Tensor c) {
        public LstmState {
            Checks.require(h != null && c != null && h.dtype() == DType.F32 && c.dtype() == DType.F32 && h.rank() == 1
                    && Arrays.equals(h.shape(), c.shape()), "lstm", "state h, c must be F32 [H] each, got " + h + ", " + c);
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

    /** Input projections of up to {@code maxSteps} steps, [maxSteps, 4H]; longer inputs run in chunks. */
    public record LstmScratch(MemorySegment proj, int hidden, int maxSteps) {
        public LstmScratch {
            Checks.require(hidden > 0 && maxSteps > 0 && proj != null && proj.byteSize() >= 16L * hidden * maxSteps,
                    "lstm", "scratch needs [" + maxSteps + ", " + 4 * hidden + "] floats");
        }

        public static LstmScratch allocate(Arena arena, int hidden, int maxSteps) {
            return new LstmScratch(Mem.floats(arena, 4L * hidden * maxSteps), hidden, maxSteps);
        }
    }

    /**
     * Runs x [T, I] through the layer from {@code state}, writing h of every step to out [T, H] and leaving the
     * final (h, c) in {@code state}. out must not overlap the state: its rows double-buffer h.
     */
    public static void lstm(WorkerPool pool, Tensor x, LstmWeights w, LstmState state, Tensor out, LstmScratch scratch) {
        int hid = w.hidden(), in = w.input(), g4 = 4 * hid;
        Checks.require(x.dtype() == DType.F32 && x.rank() == 2 && x.dim(1) == in, "lstm",
                "x must be F32 [T, " + in + "], got " + x);
        int steps = x.dim(0);
        Checks.require(out.dtype() == DType.F32 && Arrays.equals(out.shape(), new int[] {steps, hid}), "lstm",
                "out must be F32 [" + steps + ", " + hid + "], got " + out);
        Checks.require(state.h().dim(0) == hid, "lstm", "state is [" + state.h().dim(0) + "], weights have H = " + hid);
        Checks.require(scratch.hidden() == hid, "lstm", "scratch is for H = " + scratch.hidden() + ", weights have H = " + hid);
        Checks.require(!overlaps(out.data(), state.h().data()) && !overlaps(out.data(), state.c().data()), "lstm",
                "out overlaps the state");
        boolean f16ih = w.wIh().dtype() == DType.F16, f16hh = w.wHh().dtype() == DType.F16;
        MemorySegment wih = w.wIh().data(), whh = w.wHh().data(), c = state.c().data(), proj = scratch.proj();
        MemorySegment bih = w.bIh() == null ? null : w.bIh().data(), bhh = w.bHh() == null ? null : w.bHh().data();
        int cellParts = parts(pool, hid, (long) g4 * hid);
        for (int t0 = 0; t0 < steps; t0 += scratch.maxSteps()) {
            int n = Math.min(scratch.maxSteps(), steps - t0);
            MemorySegment xs = x.data().asSlice(4L * t0 * in, 4L * n * in);
            // proj[s, :] = W_ih x[t0 + s] + b_ih + b_hh
            int minRows = (int) Math.max(1, MIN_MACS_PER_THREAD / Math.max(1L, (long) n * in));
            pool.parallelFor(g4, minRows, (r0, r1) -> {
                if (f16ih) Rnn.projectF16(xs, n, in, wih, g4, bih, bhh, proj, r0, r1);
                else Rnn.projectF32(xs, n, in, wih, g4, bih, bhh, proj, r0, r1);
            });
            for (int s = 0; s < n; s++) {
                int t = t0 + s;
                MemorySegment gx = proj.asSlice(4L * s * g4, 4L * g4);
                MemorySegment hPrev = t == 0 ? state.h().data() : out.data().asSlice(4L * (t - 1) * hid, 4L * hid);
                MemorySegment hOut = out.data().asSlice(4L * t * hid, 4L * hid);
                if (cellParts == 1) {
                    cell(f16hh, gx, whh, hPrev, c, hOut, hid, 0, hid);
                } else {
                    pool.parallelFor(hid, hid / cellParts, (j0, j1) -> cell(f16hh, gx, whh, hPrev, c, hOut, hid, j0, j1));
                }
            }
        }
        if (steps > 0) {
            MemorySegment.copy(out.data(), 4L * (steps - 1) * hid, state.h().data(), 0, 4L * hid);
        }
    }

    // gates overwrite gx in place: each (gate, unit) element is read once, then written
    private static void cell(boolean f16, MemorySegment gx, MemorySegment whh, MemorySegment h, MemorySegment c,
                             MemorySegment hOut, int hid, int j0, int j1) {
        if (f16) Rnn.lstmCellF16(gx, whh, h, c, hOut, gx, hid, j0, j1);
        else Rnn.lstmCellF32(gx, whh, h, c, hOut, gx, hid, j0, j1);
    }

    private static int parts(WorkerPool pool, int units, long macs) {
        return (int) Math.max(1, Math.min(Math.min(pool.threads(), units), macs / MIN_MACS_PER_THREAD));
    }

    private static boolean overlaps(MemorySegment a, MemorySegment b) {
        return a.asOverlappingSlice(b).isPresent();
    }
}
