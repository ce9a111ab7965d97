#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The RoPE formulas behind `yi-prep rope`, written as Hugging Face transformers evaluates them
/// (`src/transformers/modeling_rope_utils.py`), so the numbers we print are the ones the model gets.
public enum RopeMath {
    /// Linear position interpolation (Chen et al. 2023): positions are divided by `factor`. We round
    /// the ratio up so the whole target length maps into the pre-trained range.
    public static func linearFactor(target: Int, original: Int) -> Double {
        Double((target + original - 1) / original)
    }

    /// NTK-aware scaling (bloc97): a new base so the slowest rotary frequency is stretched by exactly
    /// `scale` while the fastest stay nearly unchanged: `base * scale^(d / (d - 2))`, d = rotary dims.
    public static func ntkTheta(base: Double, scale: Double, rotaryDim: Int) -> Double {
        base * pow(scale, Double(rotaryDim) / Double(rotaryDim - 2))
    }

    /// The base transformers' `dynamic` rope computes for a forward pass of `sequenceLength` tokens
    /// (`_compute_dynamic_ntk_parameters`): `base * (f * L / M - (f - 1))^(d / (d - 2))` with
    /// L = max(sequenceLength, M) and M = config.max_position_embeddings (the pre-trained length).
    public static func dynamicTheta(base: Double, factor: Double, sequenceLength: Int,
                                    maxPositionEmbeddings: Int, rotaryDim: Int) -> Double {
        let length = Double(max(sequenceLength, maxPositionEmbeddings))
        let alpha = factor * length / Double(maxPositionEmbeddings) - (factor - 1)
        return base * pow(alpha, Double(rotaryDim) / Double(rotaryDim - 2))
    }

    /// YaRN's default attention temperature when `attention_factor` is unset (`get_mscale`):
    /// `0.1 * ln(factor) + 1`, 1 for factor <= 1.
    public static func yarnAttentionFactor(factor: Double) -> Double {
        factor <= 1 ? 1 : 0.1 * log(factor) + 1
    }

    /// YaRN's ramp between extrapolated and interpolated frequency pairs (`find_correction_range`
    /// with truncate = true): pairs below `low` keep their frequency, pairs from `high` on are
    /// divided by the factor, in between they are blended linearly.
    public static func yarnCorrectionRange(betaFast: Double, betaSlow: Double, rotaryDim: Int,
                                           base: Double, originalLength: Int) -> (low: Int, high: Int) {
        func correctionDim(_ rotations: Double) -> Double {
            Double(rotaryDim) * log(Double(originalLength) / (rotations * 2 * Double.pi)) / (2 * log(base))
        }
        let low = Int(correctionDim(betaFast).rounded(.down))
        let high = Int(correctionDim(betaSlow).rounded(.up))
        return (max(low, 0), min(high, rotaryDim - 1))
    }
}
