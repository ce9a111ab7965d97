import Foundation
import Testing
import YiContext
import YiCore
import YiTestSupport

/// Yi-34B's config.json figures (hidden_size 7168, 56 heads, 4096 positions, rope_theta 5e6) with
/// the other keys of a Llama-architecture Hugging Face config, in Hugging Face's (sorted) order.
let yi34BConfigText = """
{
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 7168,
  "initializer_range": 0.02,
  "intermediate_size": 20480,
  "max_position_embeddings": 4096,
  "model_type": "llama",
  "num_attention_heads": 56,
  "num_hidden_layers": 60,
  "num_key_value_heads": 8,
  "pad_token_id": 0,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": null,
  "rope_theta": 5000000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.34.0",
  "use_cache": true,
  "vocab_size": 64000
}
"""

/// 5e6 · 4^(128/126), computed independently with Python's float pow
/// (`5e6 * 4 ** (128 / 126)` = 20444971.216243107).
let yi34BNTKThetaAt16K = 20_444_971.216243107

private func yiConfig() throws -> JSONValue { try JSONParser.parse(yi34BConfigText) }

private func members(_ value: JSONValue) -> [(String, JSONValue)] {
    guard case .object(let members) = value else { return [] }
    return members
}

private func isClose(_ a: Double, _ b: Double, relative: Double = 1e-6) -> Bool {
    abs(a - b) <= relative * max(abs(a), abs(b))
}

/// Every key of `original` except `changed` is still there with the same value, in the same order.
private func expectUnrelatedKeysKept(_ original: JSONValue, _ patched: JSONValue, changed: Set<String>) {
    let before = members(original).filter { !changed.contains($0.0) }
    let after = members(patched).filter { !changed.contains($0.0) }
    #expect(before.map(\.0) == after.map(\.0))
    for ((key, a), (_, b)) in zip(before, after) { #expect(a == b, "key \(key) changed") }
}

@Suite struct RopeGeometryTests {
    @Test func yi34BGeometry() throws {
        let geometry = try RopeGeometry.read(from: yiConfig())
        #expect(geometry.headDim == 128)
        #expect(geometry.rotaryDim == 128)
        #expect(geometry.originalLength == 4096)
        #expect(geometry.baseTheta == 5_000_000)
        #expect(geometry.layout == .ropeScaling)
        #expect(geometry.existingScaling == nil)
    }

    @Test func explicitHeadDimAndPartialRotaryFactor() throws {
        let config = try JSONParser.parse(#"{"hidden_size": 5120, "num_attention_heads": 32, "head_dim": 128, "partial_rotary_factor": 0.5, "max_position_embeddings": 8192}"#)
        let geometry = try RopeGeometry.read(from: config)
        #expect(geometry.headDim == 128)
        #expect(geometry.rotaryDim == 64)
        #expect(geometry.baseTheta == 10_000)
        #expect(geometry.baseThetaIsDefault)
        // NTK exponent uses the rotating dimensions: 10000 · 2^(64/62) (Python: 20452.228712025368).
        let result = try RopePatcher.patch(config, targetLength: 16384, method: .ntk)
        #expect(isClose(result.config["rope_theta"]?.doubleValue ?? 0, 20_452.228712025368))
    }

    @Test func nullHeadDimFallsBackToHiddenOverHeads() throws {
        let config = try JSONParser.parse(#"{"hidden_size": 4096, "num_attention_heads": 32, "head_dim": null, "max_position_embeddings": 4096, "rope_theta": 10000}"#)
        #expect(try RopeGeometry.read(from: config).headDim == 128)
    }

    @Test(arguments: [
        (#"{"num_attention_heads": 56, "max_position_embeddings": 4096}"#, "hidden_size"),
        (#"{"hidden_size": 7168, "max_position_embeddings": 4096}"#, "num_attention_heads"),
        (#"{"hidden_size": 7168, "num_attention_heads": 56}"#, "max_position_embeddings"),
        (#"{"hidden_size": 7168, "num_attention_heads": 56, "max_position_embeddings": "4096"}"#, "max_position_embeddings"),
        (#"{"hidden_size": 7168, "num_attention_heads": 56, "max_position_embeddings": 4096, "rope_theta": "5e6"}"#, "rope_theta"),
        (#"{"hidden_size": 7168, "num_attention_heads": 56, "max_position_embeddings": 4096.5}"#, "max_position_embeddings"),
        (#"{"hidden_size": 7168, "num_attention_heads": 56, "head_dim": "128", "max_position_embeddings": 4096}"#, "head_dim"),
        (#"{"hidden_size": 7168, "num_attention_heads": 56, "max_position_embeddings": 4096, "rope_scaling": {"type": "yarn", "original_max_position_embeddings": "x"}}"#, "rope_scaling.original_max_position_embeddings"),
        (#"{"hidden_size": 7168, "num_attention_heads": 56, "max_position_embeddings": 4096, "rope_scaling": 4}"#, "rope_scaling"),
        (#"{"hidden_size": 7000, "num_attention_heads": 56, "max_position_embeddings": 4096}"#, "head_dim"),
        (#"[1, 2]"#, "object"),
    ])
    func badConfigsNameTheKey(text: String, key: String) throws {
        let config = try JSONParser.parse(text)
        do {
            _ = try RopePatcher.patch(config, targetLength: 16384, method: .linear)
            Issue.record("accepted \(text)")
        } catch let error as YiError {
            #expect(error.code == .usage)
            #expect(error.message.contains(key), "\(error.message)")
        }
    }
}

@Suite struct RopePatcherTests {
    @Test func linearYi34B() throws {
        let original = try yiConfig()
        let result = try RopePatcher.patch(original, targetLength: 16384, method: .linear)
        #expect(result.changed)
        #expect(result.config["rope_scaling"] == .object([
            ("rope_type", .string("linear")), ("type", .string("linear")), ("factor", .double(4.0)),
        ]))
        #expect(result.config["max_position_embeddings"] == .int(16384))
        #expect(result.config["rope_theta"] == .double(5_000_000))
        expectUnrelatedKeysKept(original, result.config, changed: ["rope_scaling", "max_position_embeddings"])
        #expect(RopeConfigFile.render(result.config).contains(#""factor": 4.0"#))
        #expect(result.warnings.contains { $0.contains("fine-tuning") })
    }

    @Test func linearRoundsTheFactorUp() throws {
        let result = try RopePatcher.patch(yiConfig(), targetLength: 10000, method: .linear)
        #expect(result.config.value(atPath: "rope_scaling.factor") == .double(3.0))
        #expect(result.config["max_position_embeddings"] == .int(10000))
    }

    @Test func ntkYi34B() throws {
        let original = try yiConfig()
        let result = try RopePatcher.patch(original, targetLength: 16384, method: .ntk)
        let theta = try #require(result.config["rope_theta"]?.doubleValue)
        #expect(isClose(theta, yi34BNTKThetaAt16K))
        #expect(theta > 20.44e6 && theta < 20.45e6)
        #expect(RopeMath.ntkTheta(base: 5e6, scale: 4, rotaryDim: 128) == theta)
        #expect(result.config["rope_scaling"] == .null)
        #expect(result.config["max_position_embeddings"] == .int(16384))
        expectUnrelatedKeysKept(original, result.config, changed: ["rope_theta", "max_position_embeddings"])
        #expect(result.warnings.contains { $0.contains("without fine-tuning") })
    }

    @Test func dynamicYi34B() throws {
        let original = try yiConfig()
        let result = try RopePatcher.patch(original, targetLength: 16384, method: .dynamic)
        // transformers reads rope_scaling["factor"] and config.max_position_embeddings (the pre-trained length).
        #expect(result.config["rope_scaling"] == .object([
            ("rope_type", .string("dynamic")), ("type", .string("dynamic")), ("factor", .double(1.0)),
        ]))
        #expect(result.config["max_position_embeddings"] == .int(4096))
        #expect(result.config["rope_theta"] == .double(5_000_000))
        expectUnrelatedKeysKept(original, result.config, changed: ["rope_scaling"])
        // At 16384 tokens transformers' formula gives the NTK base; at ≤ 4096 the original one.
        let atTarget = RopeMath.dynamicTheta(base: 5e6, factor: 1, sequenceLength: 16384, maxPositionEmbeddings: 4096, rotaryDim: 128)
        #expect(isClose(atTarget, yi34BNTKThetaAt16K))
        #expect(RopeMath.dynamicTheta(base: 5e6, factor: 1, sequenceLength: 2000, maxPositionEmbeddings: 4096, rotaryDim: 128) == 5e6)
        // The misuse the warning describes: factor = ratio gives 13^(128/126) (Python: 67700986.52088273).
        let misused = RopeMath.dynamicTheta(base: 5e6, factor: 4, sequenceLength: 16384, maxPositionEmbeddings: 4096, rotaryDim: 128)
        #expect(isClose(misused, 67_700_986.52088273))
        #expect(result.warnings.contains { $0.contains("not the extension ratio") })
    }

    @Test func dynamicFactorOption() throws {
        let result = try RopePatcher.patch(yiConfig(), targetLength: 16384, method: .dynamic, options: RopeOptions(dynamicFactor: 4))
        #expect(result.config.value(atPath: "rope_scaling.factor") == .double(4.0))
        #expect(result.warnings.contains { $0.contains("equals the extension ratio") })
        #expect(throws: YiError.self) {
            try RopePatcher.patch(yiConfig(), targetLength: 16384, method: .dynamic, options: RopeOptions(dynamicFactor: 0.5))
        }
    }

    @Test func yarnYi34B() throws {
        let original = try yiConfig()
        let result = try RopePatcher.patch(original, targetLength: 16384, method: .yarn)
        #expect(result.config["rope_scaling"] == .object([
            ("rope_type", .string("yarn")), ("factor", .double(4.0)), ("original_max_position_embeddings", .int(4096)),
        ]))
        #expect(result.config["max_position_embeddings"] == .int(16384))
        expectUnrelatedKeysKept(original, result.config, changed: ["rope_scaling", "max_position_embeddings"])
        // transformers' _validate_yarn check: max_position_embeddings / original == factor.
        let factor = try #require(result.config.value(atPath: "rope_scaling.factor")?.doubleValue)
        #expect(16384.0 / 4096.0 == factor)
        // find_correction_range(32, 1, 128, 5e6, 4096): Python gives 12.506… → 12 and 26.886… → 27.
        let range = RopeMath.yarnCorrectionRange(betaFast: 32, betaSlow: 1, rotaryDim: 128, base: 5e6, originalLength: 4096)
        #expect(range.low == 12 && range.high == 27)
        #expect(isClose(RopeMath.yarnAttentionFactor(factor: 4), 1.138629436111989))
    }

    @Test func yarnOptionalKeysAreFloats() throws {
        let result = try RopePatcher.patch(yiConfig(), targetLength: 32768, method: .yarn,
                                           options: RopeOptions(yarnBetaFast: 16, yarnBetaSlow: 2, yarnAttentionFactor: 1.2))
        #expect(result.config["rope_scaling"] == .object([
            ("rope_type", .string("yarn")), ("factor", .double(8.0)), ("original_max_position_embeddings", .int(4096)),
            ("beta_fast", .double(16)), ("beta_slow", .double(2)), ("attention_factor", .double(1.2)),
        ]))
        #expect(RopeConfigFile.render(result.config).contains(#""beta_fast": 16.0"#))
        #expect(throws: YiError.self) {
            try RopePatcher.patch(yiConfig(), targetLength: 32768, method: .yarn, options: RopeOptions(yarnBetaFast: 1, yarnBetaSlow: 2))
        }
    }

    @Test func targetNotLongerLeavesConfigUnchanged() throws {
        for method in RopeMethod.allCases {
            let result = try RopePatcher.patch(yiConfig(), targetLength: 4096, method: method)
            #expect(!result.changed)
            #expect(result.config == (try yiConfig()))
            #expect(result.warnings.contains { $0.contains("not longer than the pre-trained length 4096") })
        }
        #expect(throws: YiError.self) { try RopePatcher.patch(yiConfig(), targetLength: 0, method: .ntk) }
    }

    @Test func existingScalingIsReplacedAndItsOriginalLengthUsed() throws {
        let extended = try RopePatcher.patch(yiConfig(), targetLength: 16384, method: .yarn).config
        let again = try RopePatcher.patch(extended, targetLength: 32768, method: .linear)
        #expect(again.geometry.originalLength == 4096)
        #expect(again.config.value(atPath: "rope_scaling.factor") == .double(8.0))
        #expect(again.config.value(atPath: "rope_scaling.original_max_position_embeddings") == nil)
        #expect(again.warnings.contains { $0.contains("already has RoPE scaling") })
        // ntk on an extended config drops the old scaling (null) and uses the pre-trained 4096.
        let ntk = try RopePatcher.patch(extended, targetLength: 16384, method: .ntk)
        #expect(ntk.config["rope_scaling"] == .null)
        #expect(isClose(ntk.config["rope_theta"]?.doubleValue ?? 0, yi34BNTKThetaAt16K))
        // --original-len overrides.
        let override = try RopePatcher.patch(yiConfig(), targetLength: 16384, method: .yarn, options: RopeOptions(originalLength: 2048))
        #expect(override.config.value(atPath: "rope_scaling.factor") == .double(8.0))
    }

    @Test func transformers5RopeParametersLayout() throws {
        let config = try JSONParser.parse("""
        {"hidden_size": 7168, "num_attention_heads": 56, "max_position_embeddings": 4096,
         "rope_parameters": {"rope_type": "default", "rope_theta": 5000000.0}, "vocab_size": 64000}
        """)
        let linear = try RopePatcher.patch(config, targetLength: 16384, method: .linear)
        #expect(linear.geometry.layout == .ropeParameters)
        #expect(linear.config["rope_parameters"] == .object([
            ("rope_type", .string("linear")), ("type", .string("linear")), ("factor", .double(4.0)), ("rope_theta", .double(5e6)),
        ]))
        #expect(linear.config["rope_scaling"] == nil)
        let ntk = try RopePatcher.patch(config, targetLength: 16384, method: .ntk)
        #expect(ntk.config.value(atPath: "rope_parameters.rope_type") == .string("default"))
        #expect(isClose(ntk.config.value(atPath: "rope_parameters.rope_theta")?.doubleValue ?? 0, yi34BNTKThetaAt16K))
        #expect(ntk.config["rope_theta"] == nil)
        let perLayer = try JSONParser.parse(#"{"hidden_size": 64, "num_attention_heads": 2, "max_position_embeddings": 4096, "rope_parameters": {"full_attention": {"rope_type": "default"}, "sliding_attention": {"rope_type": "default"}}}"#)
        #expect(throws: YiError.self) { try RopePatcher.patch(perLayer, targetLength: 8192, method: .ntk) }
    }

    @Test func fileRoundTripKeepsEverythingElse() throws {
        let directory = TemporaryDirectory("yi-rope")
        let path = directory.write("config.json", yi34BConfigText)
        let (text, result) = try RopeConfigFile.patch(path: path, targetLength: 16384, method: .yarn)
        #expect(text.hasSuffix("}\n"))
        #expect(try JSONParser.parse(text) == result.config)
        // The unrelated lines of the original appear verbatim (same key order, same number text).
        for line in ["\"hidden_size\": 7168,", "\"rms_norm_eps\": 1e-05,", "\"rope_theta\": 5000000.0,", "\"vocab_size\": 64000"] {
            #expect(text.contains(line), "missing \(line)")
        }
        let broken = directory.write("broken.json", "{\"a\": 1,}")
        do {
            _ = try RopeConfigFile.patch(path: broken, targetLength: 16384, method: .ntk)
            Issue.record("accepted broken JSON")
        } catch let error as YiError {
            #expect(error.code == .corruptInput)
            #expect(error.context.path == broken)
            #expect(error.context.byteOffset == 8)
        }
        #expect(throws: YiError.self) { try RopeConfigFile.patch(path: directory.file("missing.json"), targetLength: 16384, method: .ntk) }
    }
}
