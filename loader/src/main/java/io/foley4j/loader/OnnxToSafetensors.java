package io.foley4j.loader;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.kernels.Fp16;
import io.foley4j.kernels.Mem;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Converts an ONNX model's constants ({@link OnnxModel#constants()}: initializers and Constant nodes, subgraphs
 * included) into the engine's safetensors format. Per tensor, on its engine name: a name mapping (null drops the
 * tensor), an optional transpose of 2-D FLOAT tensors (ONNX MatMul weights are [in, out]; per-row INT8 scales want
 * [out, in]) and a target precision for FLOAT tensors: F32, F16, BF16 (converted here with {@link Fp16}, round to
 * nearest even), or I8_ROW / I8_BLOCK32 through the {@link Quantizer} hook. Other tensors are copied as they are.
 * Tensors are converted one at a time while the file is written.
 */
public final class OnnxToSafetensors {
    private OnnxToSafetensors() {}

    /** INT8 quantization hook: returns an {@code target}-typed tensor of {@code f32}'s shape (memory from {@code arena}). */
    @FunctionalInterface
    public interface Quantizer {
        Tensor quantize(Tensor f32, DType target, Arena arena);
    }

    /**
     * @param names     ONNX constant path to engine name; null drops the tensor
     * @param transpose on the engine name: store this 2-D FLOAT tensor transposed
     * @param precision on the engine name of a FLOAT tensor: F32, F16, BF16, I8_ROW or I8_BLOCK32 (null: F32)
     * @param quantizer required when {@code precision} asks for an INT8 type; may be null otherwise
     * @param config    model config JSON object stored in the metadata, or null
     */
    public record Options(Function<String, String> names, Predicate<String> transpose, Function<String, DType> precision,
                          Quantizer quantizer, String config) {
        /** Every constant under its own path, FP32, nothing transposed. */
        public static Options defaults() {
            return new Options(n -> n, n -> false, n -> DType.F32, null, null);
        }

        public Options withNames(Function<String, String> f) { return new Options(f, transpose, precision, quantizer, config); }
        public Options withTranspose(Predicate<String> p) { return new Options(names, p, precision, quantizer, config); }
        public Options withPrecision(Function<String, DType> f) { return new Options(names, transpose, f, quantizer, config); }
        public Options withQuantizer(Quantizer q) { return new Options(names, transpose, precision, q, config); }
        public Options withConfig(String json) { return new Options(names, transpose, precision, quantizer, json); }
    }

    /**
     * PyTorch exporters name the weights of MatMul-based Linear layers {@code onnx::MatMul_NNN}; this maps each such
     * initializer to its consumer's node name, e.g. {@code /encoder/layer.0/attention/self/query/MatMul} ->
     * {@code encoder.layer.0.attention.self.query.weight} (still [in, out]). Names without a MatMul consumer are absent.
     */
    public static Map<String, String> matmulWeightNames(OnnxModel model) {
        Map<String, String> out = new HashMap<>();
        for (OnnxModel.Node n : model.graph().nodes()) {
            if (!n.opType().equals("MatMul") || !n.name().endsWith("/MatMul")) continue;
            for (String in : n.inputs()) {
                if (in.startsWith("onnx::MatMul")) {
                    String base = n.name().substring(n.name().startsWith("/") ? 1 : 0, n.name().length() - "/MatMul".length());
                    out.put(in, base.replace('/', '.') + ".weight");
                }
            }
        }
        return out;
    }

    public static void convert(OnnxModel model, Path target, Options o) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("source", "onnx " + model.producerName() + " " + model.producerVersion());
        if (o.config() != null) w.config(o.config());
        for (Map.Entry<String, OnnxTensor> c : model.constants().entrySet()) {
            String name = o.names().apply(c.getKey());
            if (name == null) continue;
            OnnxTensor t = c.getValue();
            if (t.type().safetensors == null) {
                throw new WeightsFormatException(model.graph().name(), c.getKey(), t.type() + " has no safetensors dtype");
            }
            boolean transpose = o.transpose().test(name);
            DType p = t.type() == OnnxDataType.FLOAT ? o.precision().apply(name) : null;
            if (p == null) p = DType.F32;
            if (t.type() != OnnxDataType.FLOAT || (p == DType.F32 && !transpose)) {
                w.addRaw(name, t.type().safetensors, t.dims(), t.data());
                continue;
            }
            if (transpose && t.dims().length != 2) {
                throw new IllegalArgumentException("OnnxToSafetensors: cannot transpose " + name + " of dims " + Arrays.toString(t.dims()));
            }
            if (p.quantized() && o.quantizer() == null) {
                throw new IllegalArgumentException("OnnxToSafetensors: " + name + " asks for " + p + " but no Quantizer was given");
            }
            if (p == DType.I32 || p == DType.I64) throw new IllegalArgumentException("OnnxToSafetensors: " + name + ": " + p + " is no precision for weights");
            Tensor src = t.toTensor();
            int[] shape = transpose ? new int[] {src.dim(1), src.dim(0)} : src.shape();
            DType target0 = p;
            w.add(name, p, shape, () -> convertOne(src, transpose, target0, o.quantizer()));
        }
        w.write(target);
    }

    /** One tensor, in memory the garbage collector frees once the writer has moved on. */
    private static Tensor convertOne(Tensor src, boolean transpose, DType target, Quantizer q) {
        Arena arena = Arena.ofAuto();
        Tensor f32 = transpose ? transpose(src, arena) : src;
        return switch (target) {
            case F32 -> f32;
            case F16, BF16 -> {
                Tensor out = Tensor.allocate(arena, target, f32.shape());
                MemorySegment in = f32.data(), o = out.data();
                long n = f32.numel();
                for (long i = 0; i < n; i++) {
                    float v = in.get(Mem.F32, 4 * i);
                    o.set(Mem.I16, 2 * i, target == DType.F16 ? Fp16.f32ToF16(v) : Fp16.f32ToBf16(v));
                }
                yield out;
            }
            default -> q.quantize(f32, target, arena);
        };
    }

    // [rows, cols] -> [cols, rows]
    private static Tensor transpose(Tensor t, Arena arena) {
        int rows = t.dim(0), cols = t.dim(1);
        Tensor out = Tensor.allocate(arena, DType.F32, cols, rows);
        MemorySegment in = t.data(), o = out.data();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                o.set(Mem.F32, 4L * ((long) c * rows + r), in.get(Mem.F32, 4L * ((long) r * cols + c)));
            }
        }
        return out;
    }
}
