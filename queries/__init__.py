"""The read side: search, entity profiles, interviews, networks, exports.

Every function here takes a GraphStore and uses only its primitive reads, so the embedded
store and Neo4j give the same answers to the same questions.
"""
