/// Solana's `ShortVec` length prefix: 7 bits a byte, low bits first, high bit set while more follow.
public enum CompactU16 {
    /// The encoding of `value` (1 to 3 bytes).
    public static func encode(_ value: UInt16) -> [UInt8] {
        var rest = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(rest & 0x7f)
            rest >>= 7
            if rest != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while rest != 0
        return bytes
    }
}
