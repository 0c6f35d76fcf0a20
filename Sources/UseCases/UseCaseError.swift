import TextOutput

/// An input of a use case, as each front-end names it in its own terms: `--metric` in the CLI, the
/// form field `metric` in the console, the argument `"metric"` in MCP.
public enum Parameter: String, Sendable, Hashable, CaseIterable {
    case metric, connection, kind, queue, args, state, since, from, to, ids
}

/// What a use case refuses, said in terms of its inputs, never of one front-end's flags or fields.
public enum UseCaseError: Error, Sendable, Equatable {
    /// Nothing of the parameter's kind goes by `name`; `nearest` are the closest names there are.
    case notFound(Parameter, name: String, nearest: [String])
    /// The value given for the parameter cannot be used; `reason` says why without naming the parameter.
    case invalid(Parameter, reason: String)
    /// No job has this id.
    case noSuchJob(Int64)
    /// A period whose first day (`from`) is after its last (`to`).
    case reversedPeriod(from: String, to: String)

    /// The parameter the error is about, if any (a front-end may show the message beside it).
    public var parameter: Parameter? {
        switch self {
        case .notFound(let parameter, _, _), .invalid(let parameter, _): parameter
        case .noSuchJob: .ids
        case .reversedPeriod: .from
        }
    }

    /// The message for a reader; `name` gives the parameter as the front-end's user typed it.
    public func message(naming name: (Parameter) -> String) -> String {
        switch self {
        case .notFound(let parameter, let value, let nearest):
            let noun =
                switch parameter {
                case .metric: "no metric titled \(value)"
                case .connection: "no connection named \(value)"
                default: "no \(parameter.rawValue) \(value)"
                }
            // The name says what was looked up: no parameter needed (it may have been a positional argument).
            return noun + NearestNames.didYouMean(nearest)
        case .invalid(let parameter, let reason):
            return "\(name(parameter)): \(reason)"
        case .noSuchJob(let id):
            return "no job with id \(id)"
        case .reversedPeriod(let from, let to):
            return "\(name(.from)) \(from) is after \(name(.to)) \(to): the period is reversed"
        }
    }
}

extension UseCaseError {
    /// Refuses a period whose first day is after its last; either end may be open (nil).
    static func requireOrdered<Day: Comparable & CustomStringConvertible>(from: Day?, to: Day?) throws(UseCaseError) {
        if let from, let to, from > to { throw UseCaseError.reversedPeriod(from: from.description, to: to.description) }
    }
}

extension UseCaseError: CustomStringConvertible {
    /// The message with each parameter by its plain name (`metric`), for logs and tests.
    public var description: String { message(naming: \.rawValue) }
}
