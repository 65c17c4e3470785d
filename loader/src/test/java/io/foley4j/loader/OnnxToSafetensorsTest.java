package io.foley4j.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.kernels.Diff;
import io.foley4j.kernels.Mem;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** all-MiniLM-L6-v2: ONNX -> safetensors -> values read back, per precision. */
class OnnxToSafetensorsTest {
    @TempDir Path dir;

    @Test
    void miniLmRoundTripsInF32AndF16WithReadableNames() throws IOException {
        OnnxModel m = OnnxParserTest.miniLm();
        Map<String, String> matmul = OnnxToSafetensors.matmulWeightNames(m);
        assertEquals(36, matmul.size(), "6 layers x (q, k, v, attention out, intermediate, out)");
        assertEquals("encoder.layer.0.attention.self.query.weight", matmul.get("onnx::MatMul_787"));
        OnnxToSafetensors.Options named = OnnxToSafetensors.Options.defaults()
                .withNames(n -> n.startsWith("/") ? null : matmul.getOrDefault(n, n)) // drop Constant-node scalars
                .withTranspose(n -> matmul.containsValue(n))
                .withConfig("{\"hidden_size\":384}");
        Path f32 = dir.resolve("f32.safetensors"), f16 = dir.resolve("f16.safetensors");
        OnnxToSafetensors.convert(m, f32, named);
        OnnxToSafetensors.convert(m, f16, named.withPrecision(n -> n.endsWith(".weight") ? DType.F16 : DType.F32));
        Map<String, OnnxTensor> onnx = m.constants();
        try (SafetensorsFile a = SafetensorsFile.open(f32); SafetensorsFile b = SafetensorsFile.open(f16);
             Arena arena = Arena.ofConfined()) {
            assertEquals(m.graph().initializers().size(), a.names().size());
            assertEquals("{\"hidden_size\":384}", a.config());
            assertArrayEquals(onnx.get("embeddings.word_embeddings.weight").toFloats(), a.tensor("embeddings.word_embeddings.weight").toFloats());
            assertEquals(DType.I64, a.tensor("embeddings.position_ids").dtype());
            // query weight: ONNX [in, out] stored as [out, in]
            float[] w = onnx.get("onnx::MatMul_787").toFloats();
            Tensor q = a.tensor("encoder.layer.0.attention.self.query.weight");
            assertArrayEquals(new int[] {384, 384}, q.shape());
            float[] qt = q.toFloats();
            for (int i = 0; i < 384; i += 37) for (int o = 0; o < 384; o += 41) assertEquals(w[i * 384 + o], qt[o * 384 + i]);
            for (String name : a.names()) {
                if (a.info(name).stored() != SafetensorsDType.F32) continue;
                Tensor ref = a.tensor(name), half = b.tensor(name);
                assertEquals(name.endsWith(".weight") ? DType.F16 : DType.F32, half.dtype(), name);
                Diff d = Diff.of(b.toF32(name, arena).toFloats(), ref.toFloats());
                assertTrue(d.maxAbs() <= 1e-3, "F16 budget 1e-3 abs on " + name + ": " + d);
            }
            assertTrue(Files.size(f16) < 0.55 * Files.size(f32), "F16 file about half the F32 file");
        }
    }

    @Test
    void int8GoesThroughTheQuantizerHookAndIsRecorded() throws IOException {
        OnnxModel m = OnnxParser.parse("tiny_if.onnx", MemorySegment.ofArray(OnnxParserTest.resource("tiny_if.onnx")));
        OnnxToSafetensors.Options o = OnnxToSafetensors.Options.defaults()
                .withNames(n -> n.equals("W") ? "w" : null).withPrecision(n -> DType.I8_ROW);
        assertThrows(IllegalArgumentException.class, () -> OnnxToSafetensors.convert(m, dir.resolve("x.safetensors"), o));
        // A stand-in hook (the real quantizer lives elsewhere): scale 1, values truncated to int8.
        OnnxToSafetensors.Quantizer stub = (t, dtype, arena) -> {
            Tensor q = Tensor.allocate(arena, dtype, t.shape());
            float[] v = t.toFloats();
            for (int i = 0; i < v.length; i++) q.data().set(Mem.I8, i, (byte) v[i]);
            for (long i = 0; i < q.scales().byteSize() / 4; i++) Mem.setF32(q.scales(), i, 1f);
            return q;
        };
        Path p = dir.resolve("q.safetensors");
        OnnxToSafetensors.convert(m, p, o.withQuantizer(stub));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals("I8_ROW", f.metadata().get("quant.w"));
            assertArrayEquals(new float[] {1, -2, 3, 4, 5, 6}, f.tensor("w").toFloats());
        }
    }
}
