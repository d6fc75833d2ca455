import FoundationEssentials

extension Application {
    /// A JSON response from an encodable value.
    ///
    /// - Throws: `EncodingError` (a programming error; answered as 500).
    func json<T: Encodable>(_ status: Int, _ value: T) throws -> Response {
        let encoder = JSONEncoder()
        // Sorted keys: the same value always encodes to the same bytes.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .json(status: status, Array(try encoder.encode(value)))
    }

    /// Decodes a JSON request body, mapping every failure to a 4xx the client can act on.
    ///
    /// - Throws: `HTTPError` 415 when the body is not declared JSON, 400 when it does not parse,
    ///   repeats a key, or a field has the wrong type or a number that is not whole (naming it).
    func decodeBody<T: Decodable>(_ type: T.Type, from request: Request) throws -> T {
        guard Self.isJSON(request) else { throw HTTPError.unsupportedMediaType }
        switch StrictJSON.check(request.body) {
        case .valid: break
        case .invalid:
            throw HTTPError(status: 400, code: "invalid-json", message: "The body is not valid JSON.")
        case .duplicateKey(let field):
            throw HTTPError(status: 400, code: "duplicate-key", message: "\(field): appears more than once.")
        case .notAWholeNumber(let field):
            throw HTTPError.invalidField(field, AmountInput.rule)
        case .stringTooLong(let field):
            throw HTTPError.invalidField(field, "is longer than any value of it can be.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            throw HTTPError.invalidField(Self.fieldName(context.codingPath), context.debugDescription)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw HTTPError.invalidField(Self.fieldName(context.codingPath), context.debugDescription)
        } catch let DecodingError.valueNotFound(_, context) where !context.codingPath.isEmpty {
            throw HTTPError.invalidField(Self.fieldName(context.codingPath), "must not be null")
        } catch let DecodingError.keyNotFound(key, _) {
            throw HTTPError.invalidField(key.stringValue, "is required.")
        } catch {
            throw HTTPError(
                status: 400,
                code: "invalid-json",
                message: "The body is not a JSON object of the expected shape."
            )
        }
    }

    /// Refuses a body that is declared as something other than JSON (forms cannot forge JSON).
    ///
    /// - Throws: `HTTPError` 415.
    func requireJSONIfAny(_ request: Request) throws {
        guard request.body.isEmpty && request.header("content-type") == nil || Self.isJSON(request) else {
            throw HTTPError.unsupportedMediaType
        }
    }

    /// True when the request declares `application/json` (any parameters, e.g. a charset).
    static func isJSON(_ request: Request) -> Bool {
        guard let type = request.header("content-type") else { return false }
        let media = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() }
        return media == "application/json"
    }

    /// A decoding path as the client wrote it: `rewardValue`, or `a.b` when nested.
    static func fieldName(_ path: [CodingKey]) -> String {
        path.map(\.stringValue).joined(separator: ".")
    }
}
