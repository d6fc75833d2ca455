import CSodium

extension Sodium {
    /// Bytes in a secret-box key.
    public static let secretBoxKeyBytes = Int(crypto_secretbox_KEYBYTES)

    /// Encrypts and authenticates `message` under `key`: a random nonce, then the ciphertext.
    ///
    /// - Returns: nil for a key of the wrong length.
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/secret-key_cryptography/secretbox>
    public static func seal(_ message: [UInt8], key: [UInt8]) -> [UInt8]? {
        guard key.count == secretBoxKeyBytes else { return nil }
        let nonce = randomBytes(Int(crypto_secretbox_NONCEBYTES))
        var sealed = [UInt8](repeating: 0, count: message.count + Int(crypto_secretbox_MACBYTES))
        guard crypto_secretbox_easy(&sealed, message, UInt64(message.count), nonce, key) == 0 else { return nil }
        return nonce + sealed
    }

    /// The message `seal` sealed, or nil when the key is wrong or the bytes were changed.
    public static func open(_ sealed: [UInt8], key: [UInt8]) -> [UInt8]? {
        let nonceBytes = Int(crypto_secretbox_NONCEBYTES)
        let macBytes = Int(crypto_secretbox_MACBYTES)
        guard key.count == secretBoxKeyBytes, sealed.count >= nonceBytes + macBytes else { return nil }
        let nonce = Array(sealed.prefix(nonceBytes))
        let box = Array(sealed.dropFirst(nonceBytes))
        var message = [UInt8](repeating: 0, count: box.count - macBytes)
        guard crypto_secretbox_open_easy(&message, box, UInt64(box.count), nonce, key) == 0 else { return nil }
        return message
    }
}
