(* A tokenizer for arithmetic expressions. *)

type token =
  | Number of float
  | Plus
  | Minus
  | Times
  | Divide
  | LParen
  | RParen

exception Unexpected_char of char

let is_digit c = c >= '0' && c <= '9'

let read_number s start =
  let len = String.length s in
  let rec stop i = if i < len && (is_digit s.[i] || s.[i] = '.') then stop (i + 1) else i in
  let finish = stop start in
  (Number (float_of_string (String.sub s start (finish - start))), finish)

let tokenize s =
  let len = String.length s in
  let rec go i acc =
    if i >= len then List.rev acc
    else
      match s.[i] with
      | ' ' | '\t' -> go (i + 1) acc
      | '+' -> go (i + 1) (Plus :: acc)
      | '-' -> go (i + 1) (Minus :: acc)
      | '*' -> go (i + 1) (Times :: acc)
      | '/' -> go (i + 1) (Divide :: acc)
      | '(' -> go (i + 1) (LParen :: acc)
      | ')' -> go (i + 1) (RParen :: acc)
      | c when is_digit c ->
          let tok, next = read_number s i in
          go next (tok :: acc)
      | c -> raise (Unexpected_char c)
  in
  go 0 []

let to_string = function
  | Number n -> string_of_float n
  | Plus -> "+" | Minus -> "-" | Times -> "*" | Divide -> "/"
  | LParen -> "(" | RParen -> ")"
