import CSodium

extension Sodium {
    /// Standard base64 with padding (RFC 4648 §4), as Solana's RPC expects transactions.
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/helpers#base64-encoding-decoding>
    public static func base64(_ bytes: [UInt8]) -> String {
        let variant = sodium_base64_VARIANT_ORIGINAL
        var text = [CChar](repeating: 0, count: sodium_base64_encoded_len(bytes.count, variant))
        _ = sodium_bin2base64(&text, text.count, bytes, bytes.count, variant)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes standard base64 with padding; nil for anything else.
    ///
    /// - Parameter text: the base64 text; its length bounds the work.
    public static func base64Decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        var bytes = [UInt8](repeating: 0, count: input.count / 4 * 3 + 3)
        var length = 0
        let rc = input.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                sodium_base642bin(
                    &bytes,
                    bytes.count,
                    $0.baseAddress,
                    $0.count,
                    nil,
                    &length,
                    nil,
                    sodium_base64_VARIANT_ORIGINAL
                )
            }
        }
        guard rc == 0 else { return nil }
        return Array(bytes.prefix(length))
    }
}
