package io.foley4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Random LSTM weights (PyTorch's init range 1/sqrt(H)) and inputs, the kernel sequence one RNN layer runs
 * (project all steps, then one cell per step into alternating h buffers) and a double-precision reference.
 */
final class LstmCase {
    final int hidden, input, steps;
    final float[] x, wih, whh, bih, bhh, h0, c0;

    LstmCase(long seed, int hidden, int input, int steps) {
        this.hidden = hidden;
        this.input = input;
        this.steps = steps;
        float k = (float) (1 / Math.sqrt(hidden));
        x = Rand.floats(seed, steps * input, 1f);
        wih = Rand.floats(seed + 1, 4 * hidden * input, k);
        whh = Rand.floats(seed + 2, 4 * hidden * hidden, k);
        bih = Rand.floats(seed + 3, 4 * hidden, k);
        bhh = Rand.floats(seed + 4, 4 * hidden, k);
        h0 = Rand.floats(seed + 5, hidden, 0.5f);
        c0 = Rand.floats(seed + 6, hidden, 1f);
    }

    static float[] roundF16(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) r[i] = Float.float16ToFloat(Float.floatToFloat16(a[i]));
        return r;
    }

    static MemorySegment f16(Arena arena, float[] a) {
        MemorySegment s = arena.allocate(2L * a.length, 64);
        for (int i = 0; i < a.length; i++) s.set(Mem.I16, 2L * i, Float.floatToFloat16(a[i]));
        return s;
    }

    /** h after each step, [steps * hidden], from the double-precision equations with the given W_hh, W_ih. */
    double[] reference(float[] wihUsed, float[] whhUsed) {
        int hN = hidden;
        double[] h = new double[hN], c = new double[hN], out = new double[steps * hN], gates = new double[4 * hN];
        for (int j = 0; j < hN; j++) {
            h[j] = h0[j];
            c[j] = c0[j];
        }
        for (int t = 0; t < steps; t++) {
            for (int r = 0; r < 4 * hN; r++) {
                double a = (double) bih[r] + bhh[r];
                for (int i = 0; i < input; i++) a += (double) wihUsed[r * input + i] * x[t * input + i];
                for (int i = 0; i < hN; i++) a += (double) whhUsed[r * hN + i] * h[i];
                gates[r] = a;
            }
            for (int j = 0; j < hN; j++) {
                double ig = sig(gates[j]), fg = sig(gates[hN + j]), gg = Math.tanh(gates[2 * hN + j]);
                double og = sig(gates[3 * hN + j]);
                c[j] = fg * c[j] + ig * gg;
                h[j] = og * Math.tanh(c[j]);
                out[t * hN + j] = h[j];
            }
        }
        return out;
    }

    private static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    interface Project {
        void run(MemorySegment x, int steps, int in, MemorySegment w, int rows, MemorySegment b1, MemorySegment b2,
                 MemorySegment out, int r0, int r1);
    }

    interface Cell {
        void run(MemorySegment gx, MemorySegment whh, MemorySegment h, MemorySegment c, MemorySegment hOut,
                 MemorySegment gates, int hidden, int j0, int j1);
    }

    /** Runs all steps with the given kernels, each cell step split into unit ranges at {@code splits}. */
    float[] run(Arena arena, boolean f16Weights, Project project, Cell cell, int... splits) {
        MemorySegment wi = f16Weights ? f16(arena, wih) : Mem.floats(arena, wih);
        MemorySegment wh = f16Weights ? f16(arena, whh) : Mem.floats(arena, whh);
        MemorySegment gx = Mem.floats(arena, (long) steps * 4 * hidden);
        project.run(Mem.floats(arena, x), steps, input, wi, 4 * hidden, Mem.floats(arena, bih),
                Mem.floats(arena, bhh), gx, 0, 4 * hidden);
        MemorySegment c = Mem.floats(arena, c0), out = Mem.floats(arena, (long) steps * hidden);
        MemorySegment h = Mem.floats(arena, h0);
        for (int t = 0; t < steps; t++) {
            MemorySegment g = gx.asSlice(4L * t * 4 * hidden, 16L * hidden);
            MemorySegment hOut = out.asSlice(4L * t * hidden, 4L * hidden);
            int from = 0;
            for (int s : splits) {
                cell.run(g, wh, h, c, hOut, g, hidden, from, s);
                from = s;
            }
            cell.run(g, wh, h, c, hOut, g, hidden, from, hidden);
            h = hOut;
        }
        return Mem.toFloats(out);
    }
}
