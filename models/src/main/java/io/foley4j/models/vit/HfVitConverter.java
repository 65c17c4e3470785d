package io.foley4j.models.vit;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face CLIPVisionModel(WithProjection) / CLIPModel and SiglipVisionModel / SiglipModel checkpoints
 * (safetensors, F32, F16 or BF16) to the engine's ViT weights. {@link #names} is the one name table; text towers,
 * {@code logit_scale}/{@code logit_bias} and {@code position_ids} buffers are ignored. A CLIP checkpoint without
 * {@code visual_projection.weight} (CLIPVisionModel) converts without a projection head.
 */
public final class HfVitConverter {
    private HfVitConverter() {}

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F16, DType.BF16);
    private static final String V = "vision_model.";

    /** How an engine tensor is made from its Hugging Face tensor. */
    enum Op {
        COPY,
        /** conv weight [D, C, p, p] viewed as the linear weight [D, C*p*p] (the im2col column order is (c, y, x)) */
        FLATTEN,
        /** nn.MultiheadAttention in_proj rows [0, D), [D, 2D), [2D, 3D) are q, k, v */
        IN_PROJ_Q, IN_PROJ_K, IN_PROJ_V
    }

    /** One row of the table: engine name, HF name, HF shape, transform. */
    record Row(String engine, String hf, int[] hfShape, Op op) {}

    /** The name table of {@code c} (CLIP names for CLASS_TOKEN pooling, SigLIP names for ATTENTION_POOL). */
    public static List<Row> names(VitConfig c) {
        int d = c.hidden(), f = c.mlp(), p = c.patchSize();
        List<Row> t = new ArrayList<>();
        String e = V + "embeddings.";
        t.add(new Row("patch_embed.weight", e + "patch_embedding.weight", new int[] {d, c.channels(), p, p}, Op.FLATTEN));
        if (!c.classToken()) t.add(new Row("patch_embed.bias", e + "patch_embedding.bias", new int[] {d}, Op.COPY));
        if (c.classToken()) t.add(new Row("class_token", e + "class_embedding", new int[] {d}, Op.COPY));
        t.add(new Row("pos_embed", e + "position_embedding.weight", new int[] {c.positions(), d}, Op.COPY));
        if (c.classToken()) norm(t, "pre_norm", V + "pre_layrnorm", d);
        for (int i = 0; i < c.layers(); i++) {
            String b = "blocks." + i + ".", h = V + "encoder.layers." + i + ".";
            norm(t, b + "norm1", h + "layer_norm1", d);
            linear(t, b + "attn.q", h + "self_attn.q_proj", d, d, true);
            linear(t, b + "attn.k", h + "self_attn.k_proj", d, d, true);
            linear(t, b + "attn.v", h + "self_attn.v_proj", d, d, true);
            linear(t, b + "attn.out", h + "self_attn.out_proj", d, d, true);
            norm(t, b + "norm2", h + "layer_norm2", d);
            linear(t, b + "mlp.fc1", h + "mlp.fc1", f, d, true);
            linear(t, b + "mlp.fc2", h + "mlp.fc2", d, f, true);
        }
        norm(t, "post_norm", V + "post_layernorm", d);
        if (c.projectionDim() > 0) linear(t, "proj", "visual_projection", c.projectionDim(), d, false);
        if (c.pooling() == VitConfig.Pooling.ATTENTION_POOL) {
            String h = V + "head.";
            t.add(new Row("head.probe", h + "probe", new int[] {1, 1, d}, Op.COPY));
            String w = h + "attention.in_proj_weight", bias = h + "attention.in_proj_bias";
            int[] ws = {3 * d, d}, bs = {3 * d};
            t.add(new Row("head.attn.q.weight", w, ws, Op.IN_PROJ_Q));
            t.add(new Row("head.attn.q.bias", bias, bs, Op.IN_PROJ_Q));
            t.add(new Row("head.attn.k.weight", w, ws, Op.IN_PROJ_K));
            t.add(new Row("head.attn.k.bias", bias, bs, Op.IN_PROJ_K));
            t.add(new Row("head.attn.v.weight", w, ws, Op.IN_PROJ_V));
            t.add(new Row("head.attn.v.bias", bias, bs, Op.IN_PROJ_V));
            linear(t, "head.attn.out", h + "attention.out_proj", d, d, true);
            norm(t, "head.norm", h + "layernorm", d);
            linear(t, "head.mlp.fc1", h + "mlp.fc1", f, d, true);
            linear(t, "head.mlp.fc2", h + "mlp.fc2", d, f, true);
        }
        return t;
    }

    private static void linear(List<Row> t, String engine, String hf, int out, int in, boolean bias) {
        t.add(new Row(engine + ".weight", hf + ".weight", new int[] {out, in}, Op.COPY));
        if (bias) t.add(new Row(engine + ".bias", hf + ".bias", new int[] {out}, Op.COPY));
    }

    private static void norm(List<Row> t, String engine, String hf, int d) {
        t.add(new Row(engine + ".weight", hf + ".weight", new int[] {d}, Op.COPY));
        t.add(new Row(engine + ".bias", hf + ".bias", new int[] {d}, Op.COPY));
    }

    /** The Hugging Face tensors {@code c} needs, for checking a checkpoint (one error listing every problem). */
    public static WeightTable hfTable(VitConfig c) {
        WeightTable t = new WeightTable();
        Set<String> seen = new java.util.HashSet<>();
        for (Row r : names(c)) {
            if (seen.add(r.hf)) t.expect(r.hf, FLOATS, r.hfShape);
        }
        return t.ignore(n -> n.startsWith("text_model.") || n.equals("text_projection.weight")
                || n.startsWith("logit_") || n.endsWith("position_ids"));
    }

    /** Source of F32 tensors by Hugging Face name. */
    @FunctionalInterface
    public interface Source {
        Tensor f32(String hfName) throws WeightsFormatException;
    }

    /** Engine weights (F32, row-major) from F32 tensors by HF name; views share the source's storage. */
    public static VitWeights convert(VitConfig c, Source hf) throws WeightsFormatException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        int d = c.hidden();
        for (Row r : names(c)) {
            Tensor t = loaded.get(r.hf);
            if (t == null) {
                t = hf.f32(r.hf);
                loaded.put(r.hf, t);
            }
            out.put(r.engine, switch (r.op) {
                case COPY -> r.engine.equals("head.probe") ? t.view(d) : t;
                case FLATTEN -> t.view(d, c.patchValues());
                case IN_PROJ_Q -> t.slice(0, d);
                case IN_PROJ_K -> t.slice(d, 2 * d);
                case IN_PROJ_V -> t.slice(2 * d, 3 * d);
            });
        }
        return VitWeights.assemble(c, out, Map.of());
    }

    /**
     * Checks an HF checkpoint against the table of {@code c} and converts it, copying every tensor to F32 in
     * {@code arena}.
     */
    public static VitWeights convert(SafetensorsFile hf, VitConfig c, Arena arena) throws WeightsFormatException {
        if (c.projectionDim() > 0 && !hf.contains("visual_projection.weight")) {
            c = new VitConfig(c.name(), c.pooling(), c.imageSize(), c.patchSize(), c.channels(), c.hidden(),
                    c.layers(), c.heads(), c.mlp(), c.act(), c.eps(), 0);
        }
        hfTable(c).bind(hf);
        return convert(c, name -> hf.toF32(name, arena));
    }

    /** HF checkpoint file to an engine F32 file. */
    public static VitConfig convert(Path hfCheckpoint, VitConfig c, Path target) throws IOException {
        try (SafetensorsFile hf = SafetensorsFile.open(hfCheckpoint); Arena arena = Arena.ofConfined()) {
            VitWeights w = convert(hf, c, arena);
            w.write(target, "huggingface " + hfCheckpoint.getFileName());
            return w.config();
        }
    }
}
