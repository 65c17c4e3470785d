package io.foley4j.models.vit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.engine.ActivationOps;

/**
 * Geometry of a Vision Transformer (Dosovitskiy et al. 2021) in the two Hugging Face flavours the engine reads:
 * <ul>
 * <li>{@link Pooling#CLASS_TOKEN} (CLIPVisionModel): a class token, LayerNorm before the encoder ({@code pre_layrnorm}),
 *     patch convolution without bias; pooled = post-LayerNorm of the class token, optionally projected
 *     ({@code visual_projection}); tokens = encoder output (no final LayerNorm, as HF's last_hidden_state).</li>
 * <li>{@link Pooling#ATTENTION_POOL} (SiglipVisionModel): no class token, no pre-LayerNorm, patch convolution with bias;
 *     tokens = post-LayerNorm of the encoder output; pooled = MultiheadAttentionPoolingHead(tokens) (a learned probe
 *     attends over all tokens, then LayerNorm + MLP with a residual).</li>
 * </ul>
 *
 * @param imageSize     training resolution (square); other multiples of {@code patchSize} interpolate the positions
 * @param projectionDim output size of the projection head, 0 for none (CLIP only)
 * @param act           MLP activation: QUICK_GELU (OpenAI CLIP), GELU_TANH (SigLIP), GELU
 */
public record VitConfig(String name, Pooling pooling, int imageSize, int patchSize, int channels, int hidden, int layers,
                        int heads, int mlp, ActivationOps.Fn act, float eps, int projectionDim) {

    public enum Pooling { CLASS_TOKEN, ATTENTION_POOL }

    private static final ObjectMapper JSON = new ObjectMapper();

    public VitConfig {
        if (imageSize < 1 || patchSize < 1 || imageSize % patchSize != 0 || channels < 1 || hidden < 1 || layers < 0
                || heads < 1 || hidden % heads != 0 || mlp < 1 || projectionDim < 0 || !(eps > 0)
                || pooling == null || act == null) {
            throw new IllegalArgumentException("VitConfig " + name + ": inconsistent geometry: imageSize " + imageSize
                    + " (must be a multiple of patchSize " + patchSize + "), channels " + channels + ", hidden " + hidden
                    + " (a multiple of heads " + heads + "), layers " + layers + ", mlp " + mlp + ", projectionDim "
                    + projectionDim + ", eps " + eps + ", pooling " + pooling + ", act " + act);
        }
        if (projectionDim > 0 && pooling != Pooling.CLASS_TOKEN) {
            throw new IllegalArgumentException("VitConfig " + name + ": a projection head needs CLASS_TOKEN pooling");
        }
    }

    /** OpenAI CLIP ViT-L/14 at 224 (the Foley model's visual encoder): 24 layers, 1024 wide, projection 768. */
    public static VitConfig clipL14() {
        return clip("clip-vit-large-patch14", 224, 14, 1024, 24, 16, 4096, 768);
    }

    /** OpenAI CLIP ViT-B/16 at 224, projection 512. */
    public static VitConfig clipB16() {
        return clip("clip-vit-base-patch16", 224, 16, 768, 12, 12, 3072, 512);
    }

    /** OpenAI CLIP ViT-B/32 at 224, projection 512. */
    public static VitConfig clipB32() {
        return clip("clip-vit-base-patch32", 224, 32, 768, 12, 12, 3072, 512);
    }

    /** google/siglip-base-patch16-224: attention-pool head, GELU (tanh form), eps 1e-6. */
    public static VitConfig siglipB16() {
        return new VitConfig("siglip-base-patch16-224", Pooling.ATTENTION_POOL, 224, 16, 3, 768, 12, 12, 3072,
                ActivationOps.Fn.GELU_TANH, 1e-6f, 0);
    }

    /** A tiny CLIP-style test model whose sizes are no multiples of a vector length (tails everywhere). */
    public static VitConfig tinyClip() {
        return clip("tiny-clip", 40, 8, 48, 2, 3, 176, 24);
    }

    /** A tiny SigLIP-style test model. */
    public static VitConfig tinySiglip() {
        return new VitConfig("tiny-siglip", Pooling.ATTENTION_POOL, 40, 8, 3, 48, 2, 3, 176,
                ActivationOps.Fn.GELU_TANH, 1e-6f, 0);
    }

    private static VitConfig clip(String name, int image, int patch, int hidden, int layers, int heads, int mlp,
                                  int projection) {
        return new VitConfig(name, Pooling.CLASS_TOKEN, image, patch, 3, hidden, layers, heads, mlp,
                ActivationOps.Fn.QUICK_GELU, 1e-5f, projection);
    }

    public boolean classToken() { return pooling == Pooling.CLASS_TOKEN; }

    public int headDim() { return hidden / heads; }

    /** Patches per side at the training resolution. */
    public int grid() { return imageSize / patchSize; }

    /** Rows of the learned position table: grid^2 (+1 for the class token). */
    public int positions() { return grid() * grid() + (classToken() ? 1 : 0); }

    /** Values per patch: channels * patchSize^2 (the patch-embedding fan-in). */
    public int patchValues() { return channels * patchSize * patchSize; }

    /** Width of the pooled output: projectionDim when there is a projection, else hidden. */
    public int outputDim() { return projectionDim > 0 ? projectionDim : hidden; }

    /** The JSON object stored in a converted file's metadata. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static VitConfig fromJson(String json) {
        try {
            return JSON.readValue(json, VitConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("VitConfig: cannot read config JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a Hugging Face {@code config.json} of a CLIPVisionModel(WithProjection), SiglipVisionModel, or of a full
     * CLIPModel / SiglipModel (its {@code vision_config} is used).
     */
    public static VitConfig fromHuggingFace(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("VitConfig.fromHuggingFace: not JSON: " + e.getOriginalMessage(), e);
        }
        String type = root.path("model_type").asText("");
        JsonNode v = root.has("vision_config") ? root.get("vision_config") : root;
        boolean siglip = type.startsWith("siglip");
        if (!siglip && !type.startsWith("clip")) {
            throw new IllegalArgumentException("VitConfig.fromHuggingFace: model_type '" + type
                    + "' is neither clip* nor siglip*");
        }
        int projection = siglip ? 0 : root.path("projection_dim").asInt(v.path("projection_dim").asInt(0));
        return new VitConfig(type, siglip ? Pooling.ATTENTION_POOL : Pooling.CLASS_TOKEN,
                required(v, "image_size"), required(v, "patch_size"), v.path("num_channels").asInt(3),
                required(v, "hidden_size"), required(v, "num_hidden_layers"), required(v, "num_attention_heads"),
                required(v, "intermediate_size"),
                ActivationOps.Fn.fromName(v.path("hidden_act").asText(siglip ? "gelu_pytorch_tanh" : "quick_gelu")),
                (float) v.path("layer_norm_eps").asDouble(siglip ? 1e-6 : 1e-5), projection);
    }

    private static int required(JsonNode n, String key) {
        if (!n.has(key)) {
            throw new IllegalArgumentException("VitConfig.fromHuggingFace: vision config has no '" + key + "'");
        }
        return n.get(key).asInt();
    }
}
