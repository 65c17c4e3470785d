package io.foley4j.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.loader.OnnxModel.AttributeKind;
import io.foley4j.loader.OnnxModel.Dim;
import io.foley4j.loader.OnnxModel.Node;
import io.foley4j.loader.OnnxModel.ValueInfo;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ONNX parser against what the reference onnx package reads (minilm_check.py / make_tiny_onnx.py, next to the data). */
class OnnxParserTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = OnnxParserTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "resource " + name + " on the test classpath");
            return in.readAllBytes();
        }
    }

    static OnnxModel miniLm() throws IOException {
        return OnnxParser.parse("all-minilm-l6-v2.onnx", MemorySegment.ofArray(resource("/all-minilm-l6-v2.onnx")));
    }

    @Test
    void miniLmMatchesTheReferenceParser() throws IOException {
        OnnxModel m = miniLm();
        Map<String, OnnxTensor> inits = m.graph().initializers().stream()
                .collect(Collectors.toMap(OnnxTensor::name, t -> t));
        Map<String, OnnxTensor> constants = m.constants();
        List<ValueInfo> values = new ArrayList<>(m.graph().inputs());
        values.addAll(m.graph().outputs());
        int valueIndex = 0, tensors = 0;
        for (String line : new String(resource("minilm_check.txt"), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "ir_version" -> assertEquals(Long.parseLong(f[1]), m.irVersion());
                case "producer" -> assertEquals(f[1] + " " + f[2], m.producerName() + " " + m.producerVersion());
                case "opset" -> assertEquals(Map.of("", 11L), m.opsets(), line);
                case "initializers" -> assertEquals(Integer.parseInt(f[1]), m.graph().initializers().size());
                case "nodes" -> assertEquals(Integer.parseInt(f[1]), m.graph().nodes().size());
                case "constant_nodes" -> {
                    assertEquals(Long.parseLong(f[1]), m.graph().nodes().stream().filter(n -> n.opType().equals("Constant")).count());
                    assertEquals(m.graph().initializers().size() + Integer.parseInt(f[1]), constants.size());
                }
                case "value" -> {
                    ValueInfo v = values.get(valueIndex++);
                    assertEquals(f[1], v.name());
                    assertEquals(Integer.parseInt(f[2]), v.elemType().code, line);
                    assertEquals(f[3], v.dims().stream().map(d -> d.param().isEmpty() ? Long.toString(d.value()) : d.param())
                            .collect(Collectors.joining(",")), line);
                }
                case "tensor" -> {
                    OnnxTensor t = inits.containsKey(f[1]) ? inits.get(f[1]) : constants.get(f[1]);
                    assertNotNull(t, f[1]);
                    assertEquals(Integer.parseInt(f[2]), t.type().code, line);
                    int first = 5;
                    long[] dims = f[3].isEmpty() ? new long[0] : Arrays.stream(f[3].split(",")).mapToLong(Long::parseLong).toArray();
                    assertArrayEquals(dims, t.dims(), line);
                    float[] v = t.toFloats();
                    double sum = 0;
                    for (float x : v) sum += x;
                    double want = Double.parseDouble(f[4]);
                    assertEquals(want, sum, 1e-9 * Math.max(1, Math.abs(want)), "sum of " + line);
                    for (int i = 0; i + first < f.length; i++) {
                        assertEquals((float) Double.parseDouble(f[first + i]), v[i], 0f, "element " + i + " of " + line);
                    }
                    tensors++;
                }
                default -> throw new AssertionError("unknown check line " + line);
            }
        }
        assertEquals(5, tensors);
        assertEquals(4, valueIndex);
        assertEquals(List.of(30522, 384), Arrays.stream(inits.get("embeddings.word_embeddings.weight").toTensor().shape()).boxed().toList());
    }

    @Test
    void readsTypedFieldsAttributesAndConstantsInNestedSubgraphs() throws IOException {
        OnnxModel m = OnnxParser.parse("tiny_if.onnx", MemorySegment.ofArray(resource("tiny_if.onnx")));
        Map<String, OnnxTensor> c = m.constants();
        // onnx.helper writes attributes sorted by name: else_branch before then_branch
        assertEquals(List.of("W", "ids", "h", "d", "r", "If_0/else_branch/else_f", "If_0/else_branch/else_i",
                "If_0/then_branch/then_c", "If_0/then_branch/L/body/deep"), List.copyOf(c.keySet()));
        assertArrayEquals(new float[] {1.5f, -2, 3, 4, 5, 6.25f}, c.get("W").toFloats());
        assertArrayEquals(new long[] {2, 3}, c.get("W").dims());
        assertArrayEquals(new long[] {7, -1, 1L << 40}, c.get("ids").data().toArray(io.foley4j.kernels.Mem.I64));
        assertArrayEquals(new float[] {0.5f, -3f}, c.get("h").toFloats());
        assertEquals(OnnxDataType.FLOAT16, c.get("h").type());
        assertArrayEquals(new float[] {2.5f}, c.get("d").toFloats());
        assertArrayEquals(new float[] {9, 10}, c.get("r").toFloats());
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.get("If_0/then_branch/then_c").toFloats());
        assertArrayEquals(new float[] {42}, c.get("If_0/then_branch/L/body/deep").toFloats());
        assertArrayEquals(new float[] {0.25f, 0.5f}, c.get("If_0/else_branch/else_f").toFloats());
        assertArrayEquals(new float[] {3, 4, 5}, c.get("If_0/else_branch/else_i").toFloats());
        Node gemm = m.graph().nodes().get(1);
        assertEquals(List.of("x", "W"), gemm.inputs());
        assertEquals(AttributeKind.FLOAT, gemm.attributes().get("alpha").kind());
        assertEquals(0.5f, gemm.attributes().get("alpha").f());
        assertEquals(1, gemm.attributes().get("transB").i());
        assertEquals(AttributeKind.GRAPH, m.graph().nodes().get(0).attributes().get("then_branch").kind());
        assertEquals(List.of(new Dim(-1, "n"), new Dim(3, "")), m.graph().inputs().get(1).dims());
        assertEquals(Map.of("", 13L), m.opsets());
    }

    @Test
    void externalDataIsRefusedByName() {
        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> OnnxParser.parse("tiny_external.onnx", MemorySegment.ofArray(resource("tiny_external.onnx"))));
        assertEquals("E", e.tensor());
        assertTrue(e.getMessage().contains("external file"), e.getMessage());
    }

    @Test
    void acceptsUnpackedRepeatedFields() throws IOException {
        // TensorProto{dims: 2 (unpacked varint), dims: 1, data_type: FLOAT, float_data: 1.0 (fixed32), float_data: -2.0}
        byte[] tensor = {0x08, 2, 0x08, 1, 0x10, 1, 0x25, 0, 0, (byte) 0x80, 0x3F, 0x25, 0, 0, 0, (byte) 0xC0, 0x42, 1, 'T'};
        OnnxTensor t = OnnxTensors.read("hand", new ProtoReader("hand", MemorySegment.ofArray(tensor)));
        assertEquals("T", t.name());
        assertArrayEquals(new long[] {2, 1}, t.dims());
        assertArrayEquals(new float[] {1, -2}, t.toFloats());
    }

    /** Truncations and byte flips of a small model fail only with WeightsFormatException, or parse. */
    @Test
    void mutatedModelsFailOnlyWithFormatErrors() throws IOException {
        byte[] base = resource("tiny_if.onnx");
        Random rnd = new Random(7);
        int rejected = 0;
        for (int i = 0; i < 6000; i++) {
            byte[] m = i < base.length ? Arrays.copyOf(base, i) : base.clone();
            if (i >= base.length) {
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            }
            try {
                OnnxModel model = OnnxParser.parse("mutant" + i, MemorySegment.ofArray(m));
                for (OnnxTensor t : model.constants().values()) {
                    if (t.type().safetensors != null && t.type().safetensors.toF32 && t.numel() < 1 << 20) t.toFloats();
                }
            } catch (WeightsFormatException e) {
                rejected++;
            }
        }
        assertTrue(rejected > 1000, "rejected " + rejected);
    }
}
