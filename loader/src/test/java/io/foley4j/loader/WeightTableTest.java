package io.foley4j.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightTableTest {
    @TempDir Path dir;

    private Path file() throws IOException {
        Path p = dir.resolve("w.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            new SafetensorsWriter()
                    .add("emb", Tensor.ofHeap(new float[12], 4, 3))
                    .add("w1", Tensor.allocate(arena, DType.I8_ROW, 3, 3))
                    .add("bias", Tensor.ofHeap(new float[5], 5))
                    .add("ids", Tensor.allocate(arena, DType.I64, 2))
                    .add("position_ids", Tensor.allocate(arena, DType.I64, 7))
                    .add("extra", Tensor.ofHeap(new float[1], 1))
                    .write(p);
        }
        return p;
    }

    @Test
    void bindsEveryDeclaredTensorZeroCopy() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file())) {
            WeightTable.Bound b = new WeightTable()
                    .expect("emb", WeightTable.FLOAT, WeightTable.ANY, 3)
                    .expect("w1", WeightTable.FLOAT, 3, 3)
                    .expect("bias", Set.of(DType.F32), 5)
                    .expect("ids", Set.of(DType.I64), 2)
                    .ignore(n -> n.equals("position_ids") || n.equals("extra"))
                    .bind(f);
            assertArrayEquals(new int[] {4, 3}, b.get("emb").shape());
            assertEquals(DType.I8_ROW, b.get("w1").dtype());
            assertThrows(IllegalArgumentException.class, () -> b.get("nope"));
        }
    }

    @Test
    void reportsEveryProblemInOneError() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file())) {
            WeightTable t = new WeightTable()
                    .expect("emb", WeightTable.FLOAT, 5, 3)          // mis-shaped
                    .expect("w1", Set.of(DType.F32), 3, 3)           // wrong dtype
                    .expect("bias", Set.of(DType.F32), 5)
                    .expect("ids", Set.of(DType.I64), 2)
                    .expect("missing.a", WeightTable.FLOAT, 2)
                    .expect("missing.b", WeightTable.FLOAT, 2)
                    .ignore(n -> n.equals("position_ids"));
            String m = assertThrows(WeightsFormatException.class, () -> t.bind(f)).getMessage();
            assertEquals(String.join("\n",
                    f.source() + ": 5 weight problems:",
                    "  mis-shaped emb: expected [5, 3], found [4, 3]",
                    "  wrong dtype w1: expected one of [F32], found I8_ROW",
                    "  missing missing.a [2]",
                    "  missing missing.b [2]",
                    "  unexpected extra F32[1]"), m);
        }
    }
}
