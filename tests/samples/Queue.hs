-- | A purely functional FIFO queue built from two lists.
module Queue
  ( Queue
  , empty
  , push
  , pop
  , fromList
  , size
  ) where

import Data.List (foldl')

-- | Front list is read from; back list is written to in reverse.
data Queue a = Queue [a] [a]

instance Show a => Show (Queue a) where
  show q = "fromList " ++ show (toList q)

empty :: Queue a
empty = Queue [] []

push :: a -> Queue a -> Queue a
push x (Queue front back) = Queue front (x : back)

pop :: Queue a -> Maybe (a, Queue a)
pop (Queue [] []) = Nothing
pop (Queue [] back) = pop (Queue (reverse back) [])
pop (Queue (x : front) back) = Just (x, Queue front back)

fromList :: [a] -> Queue a
fromList = foldl' (flip push) empty

toList :: Queue a -> [a]
toList (Queue front back) = front ++ reverse back

size :: Queue a -> Int
size (Queue front back) = length front + length back
