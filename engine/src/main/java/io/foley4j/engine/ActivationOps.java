package io.foley4j.engine;

import io.foley4j.kernels.Activation;
import java.util.Arrays;

/** Tensor-level activations (elementwise, any shape) and softmax over the last dimension. Output may be x itself. */
public final class ActivationOps {
    private ActivationOps() {}

    static final int MIN_ELEMENTS_PER_THREAD = 16_384;

    /** Elementwise activation functions; dispatch is one switch per op call. */
    public enum Fn {
        /** x * Phi(x), erf form (BERT, ViT, Whisper, "gelu" in Hugging Face configs). */
        GELU,
        /** tanh approximation of GELU ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"). */
        GELU_TANH,
        /** x * sigmoid(1.702 x) (OpenAI CLIP). */
        QUICK_GELU,
        SILU,
        SIGMOID,
        TANH;

        /** The function a Hugging Face {@code hidden_act} string names. */
        public static Fn fromName(String name) {
            return switch (name) {
                case "gelu" -> GELU;
                case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
                case "quick_gelu" -> QUICK_GELU;
                case "silu", "swish" -> SILU;
                case "sigmoid" -> SIGMOID;
                case "tanh" -> TANH;
                default -> throw new IllegalArgumentException("activation: unsupported \"" + name + "\", expected one of "
                        + "gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, quick_gelu, silu, swish, sigmoid, tanh");
            };
        }
    }

    /** out = fn(x), elementwise; x and out F32 of the same shape. */
    public static void apply(Fn fn, Tensor x, Tensor out, WorkerPool pool) {
        String op = fn.name().toLowerCase(java.util.Locale.ROOT);
        OpChecks.f32(op, "x", x);
        OpChecks.f32(op, "out", out);
        OpChecks.sameShape(op, "x", x, "out", out);
        OpChecks.fitsInt(op, "x", x);
        var xs = x.data();
        var os = out.data();
        WorkerPool.RangeTask task = switch (fn) {
            case GELU -> (s, e) -> Activation.gelu(xs, os, s, e);
            case GELU_TANH -> (s, e) -> Activation.geluTanh(xs, os, s, e);
            case QUICK_GELU -> (s, e) -> Activation.quickGelu(xs, os, s, e);
            case SILU -> (s, e) -> Activation.silu(xs, os, s, e);
            case SIGMOID -> (s, e) -> Activation.sigmoid(xs, os, s, e);
            case TANH -> (s, e) -> Activation.tanh(xs, os, s, e);
        };
        int n = (int) x.numel();
        // ranges start at multiples of CHUNK, so an element takes the same (vector or scalar-tail) path whatever
        // the thread count: results do not depend on the pool size
        int chunks = (n + CHUNK - 1) / CHUNK;
        pool.parallelFor(chunks, MIN_ELEMENTS_PER_THREAD / CHUNK,
                (s, e) -> task.run(s * CHUNK, Math.min(n, e * CHUNK)));
    }

    /** A multiple of every vector length in floats (up to 2048-bit vectors). */
    private static final int CHUNK = 64;

    /**
     * Softmax over the last dim, rows split over the pool: out = e^(x - max) / sum. A row whose entries are all
     * -inf (fully masked) gives zeros.
     */
    public static void softmax(Tensor x, Tensor out, WorkerPool pool) {
        OpChecks.f32("softmax", "x", x);
        OpChecks.f32("softmax", "out", out);
        if (x.rank() == 0 || x.dim(-1) == 0) {
            throw new IllegalArgumentException("softmax: x " + Arrays.toString(x.shape())
                    + " needs a non-empty last dimension");
        }
        OpChecks.sameShape("softmax", "x", x, "out", out);
        OpChecks.fitsInt("softmax", "x", x);
        int dim = x.dim(-1);
        int rows = (int) (x.numel() / dim);
        pool.parallelFor(rows, Math.max(1, MIN_ELEMENTS_PER_THREAD / dim),
                (s, e) -> Activation.softmax(x.data(), out.data(), dim, s, e));
    }
}
