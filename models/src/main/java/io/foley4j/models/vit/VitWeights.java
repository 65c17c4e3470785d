package io.foley4j.models.vit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.SafetensorsWriter;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The weights of a {@link Vit}, under the engine's tensor names (the table is {@link #table}; the Hugging Face names
 * they come from are in {@link HfVitConverter}). Optional parts are null: {@code classToken} and {@code preNorm}
 * (SigLIP), {@code projection} (no projection head), {@code head} (CLIP).
 *
 * <p>Linear weights are {@code [out, in]}: F32, F32_PACKED (after {@link #pack}) or I8_ROW (static INT8, see
 * {@link VitQuantizer}); an I8_ROW linear carries its calibrated input scale, stored in the file's metadata under
 * {@link #ACTIVATION_SCALES_KEY} as {@code {"blocks.0.attn.q": scale, ...}}.
 */
public record VitWeights(VitConfig config, Linear patchEmbed, Tensor classToken, Tensor posEmbed, Norm preNorm,
                         List<Block> blocks, Norm postNorm, Linear projection, Head head) {

    public static final String ACTIVATION_SCALES_KEY = "activation_scales";
    private static final Set<DType> F32 = EnumSet.of(DType.F32);
    private static final Set<DType> LINEAR = EnumSet.of(DType.F32, DType.I8_ROW);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code y = x W^T + b}; {@code inputScale} > 0: x is quantized to INT8 with this fixed scale (static INT8). */
    public record Linear(String name, Tensor weight, Tensor bias, float inputScale) {}

    public record Norm(Tensor weight, Tensor bias) {}

    /**
     * Pre-LN transformer block: x += attn(norm1(x)); x += mlp(norm2(x)). {@code qkv}: q, k and v stacked for one GEMM
     * ({@link LinearOps#linearGroups}; q, k and v are then views of its weights), or null: made by {@link #pack} for
     * F32 layers.
     */
    public record Block(Norm norm1, Linear q, Linear k, Linear v, Linear out, Norm norm2, Linear fc1, Linear fc2,
                        Linear qkv) {
        public Block(Norm norm1, Linear q, Linear k, Linear v, Linear out, Norm norm2, Linear fc1, Linear fc2) {
            this(norm1, q, k, v, out, norm2, fc1, fc2, null);
        }
    }

    /** SigLIP MultiheadAttentionPoolingHead: the probe [hidden] attends over the tokens, then x += mlp(norm(x)). */
    public record Head(Tensor probe, Linear q, Linear k, Linear v, Linear out, Norm norm, Linear fc1, Linear fc2) {}

    /** Every tensor the engine file of {@code c} holds: name, shape, accepted dtypes. */
    public static WeightTable table(VitConfig c) {
        int d = c.hidden(), f = c.mlp();
        WeightTable t = new WeightTable();
        linear(t, "patch_embed", d, c.patchValues(), !c.classToken());
        if (c.classToken()) t.expect("class_token", F32, d);
        t.expect("pos_embed", F32, c.positions(), d);
        if (c.classToken()) norm(t, "pre_norm", d);
        for (int i = 0; i < c.layers(); i++) {
            String b = "blocks." + i + ".";
            norm(t, b + "norm1", d);
            for (String p : new String[] {"q", "k", "v", "out"}) linear(t, b + "attn." + p, d, d, true);
            norm(t, b + "norm2", d);
            linear(t, b + "mlp.fc1", f, d, true);
            linear(t, b + "mlp.fc2", d, f, true);
        }
        norm(t, "post_norm", d);
        if (c.projectionDim() > 0) linear(t, "proj", c.projectionDim(), d, false);
        if (c.pooling() == VitConfig.Pooling.ATTENTION_POOL) {
            t.expect("head.probe", F32, d);
            for (String p : new String[] {"q", "k", "v", "out"}) linear(t, "head.attn." + p, d, d, true);
            norm(t, "head.norm", d);
            linear(t, "head.mlp.fc1", f, d, true);
            linear(t, "head.mlp.fc2", d, f, true);
        }
        return t;
    }

    private static void linear(WeightTable t, String name, int out, int in, boolean bias) {
        t.expect(name + ".weight", LINEAR, out, in);
        if (bias) t.expect(name + ".bias", F32, out);
    }

    private static void norm(WeightTable t, String name, int d) {
        t.expect(name + ".weight", F32, d);
        t.expect(name + ".bias", F32, d);
    }

    /** Builds the records from tensors by engine name ({@code get} returns null for an absent optional tensor). */
    static VitWeights assemble(VitConfig c, Map<String, Tensor> tensors, Map<String, Float> scales) {
        Builder b = new Builder(tensors, scales);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "blocks." + i + ".";
            blocks.add(new Block(b.norm(p + "norm1"), b.linear(p + "attn.q"), b.linear(p + "attn.k"),
                    b.linear(p + "attn.v"), b.linear(p + "attn.out"), b.norm(p + "norm2"), b.linear(p + "mlp.fc1"),
                    b.linear(p + "mlp.fc2")));
        }
        Head head = c.pooling() != VitConfig.Pooling.ATTENTION_POOL ? null : new Head(tensors.get("head.probe"),
                b.linear("head.attn.q"), b.linear("head.attn.k"), b.linear("head.attn.v"), b.linear("head.attn.out"),
                b.norm("head.norm"), b.linear("head.mlp.fc1"), b.linear("head.mlp.fc2"));
        return new VitWeights(c, b.linear("patch_embed"), tensors.get("class_token"), tensors.get("pos_embed"),
                c.classToken() ? b.norm("pre_norm") : null, List.copyOf(blocks), b.norm("post_norm"),
                c.projectionDim() > 0 ? b.linear("proj") : null, head);
    }

    private record Builder(Map<String, Tensor> tensors, Map<String, Float> scales) {
        Linear linear(String name) {
            Tensor w = tensors.get(name + ".weight");
            Float s = scales.get(name);
            boolean int8 = w.dtype() == DType.I8_ROW || w.dtype() == DType.I8_ROW_PACKED;
            if (int8 && (s == null || !(s > 0) || s.isInfinite())) {
                throw new IllegalArgumentException("VitWeights: INT8 weight " + name + ".weight has no positive "
                        + "activation scale in the '" + ACTIVATION_SCALES_KEY + "' metadata (got " + s + ")");
            }
            return new Linear(name, w, tensors.get(name + ".bias"), int8 ? s : 0f);
        }

        Norm norm(String name) {
            return new Norm(tensors.get(name + ".weight"), tensors.get(name + ".bias"));
        }
    }

    /**
     * Zero-copy views of an engine file (config from its metadata); {@code pack}: repack F32 linear weights into the
     * fast GEMM layout in {@code arena}. The file must stay open while the weights are used.
     */
    public static VitWeights load(SafetensorsFile file, Arena arena, boolean pack) throws WeightsFormatException {
        String json = file.config();
        if (json == null) {
            throw new WeightsFormatException(file.source(), null, "no 'config' metadata: not a converted ViT file "
                    + "(convert a Hugging Face checkpoint with HfVitConverter first)");
        }
        VitConfig c = VitConfig.fromJson(json);
        WeightTable.Bound bound = table(c).bind(file);
        Map<String, Float> scales = new LinkedHashMap<>();
        String s = file.metadata().get(ACTIVATION_SCALES_KEY);
        if (s != null) {
            try {
                JSON.readTree(s).properties().forEach(e -> scales.put(e.getKey(), e.getValue().floatValue()));
            } catch (JsonProcessingException e) {
                throw new WeightsFormatException(file.source(), null, "metadata '" + ACTIVATION_SCALES_KEY
                        + "' is not JSON: " + e.getOriginalMessage(), e);
            }
        }
        List<String> unscaled = new ArrayList<>();
        bound.tensors().forEach((name, t) -> {
            String layer = name.substring(0, name.length() - ".weight".length());
            if (t.dtype() == DType.I8_ROW && !(scales.getOrDefault(layer, 0f) > 0)) unscaled.add(name);
        });
        if (!unscaled.isEmpty()) {
            throw new WeightsFormatException(file.source(), null, unscaled.size() + " INT8 weights have no positive "
                    + "activation scale in the '" + ACTIVATION_SCALES_KEY + "' metadata (calibrate with VitQuantizer): "
                    + String.join(", ", unscaled));
        }
        VitWeights w = assemble(c, bound.tensors(), scales);
        if (!pack) return w;
        // each linear's mapped pages are dropped as soon as its copy is made (not read again): the peak holds the
        // copies and one layer's pages, not both of every layer
        return w.pack(arena, file::unload);
    }

    /** Every tensor under its engine name, in file order. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        put(m, patchEmbed);
        if (classToken != null) m.put("class_token", classToken);
        m.put("pos_embed", posEmbed);
        if (preNorm != null) put(m, "pre_norm", preNorm);
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            String p = "blocks." + i + ".";
            put(m, p + "norm1", b.norm1);
            put(m, b.q);
            put(m, b.k);
            put(m, b.v);
            put(m, b.out);
            put(m, p + "norm2", b.norm2);
            put(m, b.fc1);
            put(m, b.fc2);
        }
        put(m, "post_norm", postNorm);
        if (projection != null) put(m, projection);
        if (head != null) {
            m.put("head.probe", head.probe);
            put(m, head.q);
            put(m, head.k);
            put(m, head.v);
            put(m, head.out);
            put(m, "head.norm", head.norm);
            put(m, head.fc1);
            put(m, head.fc2);
        }
        return m;
    }

    private static void put(Map<String, Tensor> m, Linear l) {
        m.put(l.name + ".weight", l.weight);
        if (l.bias != null) m.put(l.name + ".bias", l.bias);
    }

    private static void put(Map<String, Tensor> m, String name, Norm n) {
        m.put(name + ".weight", n.weight);
        m.put(name + ".bias", n.bias);
    }

    /** Every linear layer, in forward order. */
    public List<Linear> linears() {
        List<Linear> out = new ArrayList<>();
        out.add(patchEmbed);
        for (Block b : blocks) out.addAll(List.of(b.q, b.k, b.v, b.out, b.fc1, b.fc2));
        if (projection != null) out.add(projection);
        if (head != null) out.addAll(List.of(head.q, head.k, head.v, head.out, head.fc1, head.fc2));
        return out;
    }

    /** The same weights with every linear replaced by {@code f} (other tensors shared). */
    public VitWeights mapLinears(UnaryOperator<Linear> f) {
        Map<String, Tensor> m = tensors();
        Map<String, Float> scales = new LinkedHashMap<>();
        for (Linear l : linears()) {
            Linear n = f.apply(l);
            m.put(l.name + ".weight", n.weight);
            if (n.inputScale > 0) scales.put(l.name, n.inputScale);
        }
        return assemble(config, m, scales);
    }

    /**
     * F32 linear weights repacked into {@link DType#F32_PACKED} (in {@code arena}); others unchanged. Each block's F32
     * q, k and v are packed one after the other into one allocation and also given as {@link Block#qkv}, so the
     * forward runs them as one GEMM (one packing of x, one hand-off to the pool; 2-4% faster than three calls on
     * ViT-B/16 and L/14 shapes) with no second copy of the weights (the stacked biases, 3 x D floats per block, are
     * one).
     */
    public VitWeights pack(Arena arena) {
        return pack(arena, t -> { });
    }

    /** {@link #pack(Arena)}, handing {@code copied} each original weight once its packed copy is made. */
    public VitWeights pack(Arena arena, Consumer<Tensor> copied) {
        Map<String, Tensor> stackedParts = new HashMap<>();
        List<Linear> qkv = new ArrayList<>();
        for (Block b : blocks) {
            Linear stacked = stackQkv(arena, b, stackedParts);
            if (stacked != null) {
                copied.accept(b.q.weight);
                copied.accept(b.k.weight);
                copied.accept(b.v.weight);
            }
            qkv.add(stacked);
        }
        VitWeights packed = mapLinears(l -> {
            Tensor part = stackedParts.get(l.name);
            if (part != null) return new Linear(l.name, part, l.bias, l.inputScale);
            Linear n = switch (l.weight.dtype()) {
                case F32 -> new Linear(l.name, LinearOps.packF32(arena, l.weight), l.bias, l.inputScale);
                // static INT8: panel-packed, run through the F32 micro-kernel on dequantized activations (VitOps)
                case I8_ROW -> new Linear(l.name, LinearOps.packQ8(arena, l.weight), l.bias, l.inputScale);
                default -> l;
            };
            if (n != l) copied.accept(l.weight);
            return n;
        });
        List<Block> withQkv = new ArrayList<>();
        for (int i = 0; i < packed.blocks.size(); i++) {
            Block b = packed.blocks.get(i);
            withQkv.add(new Block(b.norm1, b.q, b.k, b.v, b.out, b.norm2, b.fc1, b.fc2, qkv.get(i)));
        }
        return new VitWeights(packed.config, packed.patchEmbed, packed.classToken, packed.posEmbed, packed.preNorm,
                List.copyOf(withQkv), packed.postNorm, packed.projection, packed.head);
    }

    /**
     * q, k and v of {@code b} packed one after the other (their views put in {@code parts} by name) with their biases
     * stacked; null when they are not all F32 of one shape with a panel-multiple width and all with or all without bias.
     */
    private static Linear stackQkv(Arena arena, Block b, Map<String, Tensor> parts) {
        Linear[] l = {b.q, b.k, b.v};
        Tensor w0 = b.q.weight;
        for (Linear x : l) {
            if (x.weight.dtype() != DType.F32 || !java.util.Arrays.equals(x.weight.shape(), w0.shape())
                    || (x.bias == null) != (b.q.bias == null) || x.inputScale > 0) {
                return null;
            }
        }
        if (w0.rank() != 2 || w0.dim(0) % io.foley4j.kernels.Matmul.PANEL != 0) return null;
        int d = w0.dim(0);
        Tensor stacked = LinearOps.packF32Stacked(arena, b.q.weight, b.k.weight, b.v.weight);
        Tensor bias = null;
        if (b.q.bias != null) {
            bias = Tensor.allocate(arena, DType.F32, 3 * d);
            for (int g = 0; g < 3; g++) {
                MemorySegment.copy(l[g].bias.data(), 0, bias.data(), 4L * g * d, 4L * d);
            }
        }
        for (int g = 0; g < 3; g++) {
            parts.put(l[g].name, LinearOps.packedGroup(stacked, 3, g));
        }
        return new Linear(b.q.name + "kv", stacked, bias, 0f); // blocks.i.attn.q -> blocks.i.attn.qkv
    }

    /** Bytes of every tensor (data and scales), what a converted file holds besides its header. */
    public long byteSize() {
        long n = 0;
        for (Tensor t : tensors().values()) {
            n += t.data().byteSize() + (t.scales() == null ? 0 : t.scales().byteSize());
        }
        return n;
    }

    /** Writes the engine file: config and activation scales in the metadata. F32_PACKED weights cannot be written. */
    public void write(Path target, String source) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().config(config.toJson());
        if (source != null) w.metadata("source", source);
        ObjectNode scales = JSON.createObjectNode();
        for (Linear l : linears()) {
            if (l.weight.dtype() == DType.F32_PACKED || l.weight.dtype() == DType.I8_ROW_PACKED) {
                throw new IllegalArgumentException("VitWeights.write: " + l.name + " is packed for the GEMM; write the "
                        + "weights before pack()");
            }
            if (l.inputScale > 0) scales.put(l.name, l.inputScale);
        }
        if (!scales.isEmpty()) w.metadata(ACTIVATION_SCALES_KEY, scales.toString());
        tensors().forEach(w::add);
        w.write(target);
    }
}
