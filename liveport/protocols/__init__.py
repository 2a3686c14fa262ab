"""Codecs of public wire standards, shared by Liveport and the sandboxes (DESIGN.md §2).

No business rules here, and no imports from the rest of Liveport: the sandboxes import this
package and nothing else of Liveport.
"""
